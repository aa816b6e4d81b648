/// Why `SeriesCodec.decode` rejected its input.
public struct SeriesCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of defect.
    public enum Code: Sendable, Hashable {
        /// The input ends before the encoding does.
        case truncated
        /// A field holds a value the format does not allow, or bytes follow the encoding.
        case corrupt
        /// The version byte is not one this build can read.
        case unsupportedVersion
    }

    /// The kind of defect.
    public var code: Code
    /// What was wrong, for logs and error messages.
    public var reason: String
    /// Byte offset in the input at which the defect was detected.
    public var offset: Int

    /// Creates an error of kind `code`, detected at byte `offset`, explained by `reason`.
    public init(_ code: Code, _ reason: String, offset: Int) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    /// The code, offset and reason on one line.
    public var description: String {
        "series encoding \(code) at byte \(offset): \(reason)"
    }
}
