/// A storage failure: what went wrong and, for file drivers, the path involved.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// Stored data could not be decoded; the affected metric is rebuilt from what can be read.
        case corrupt
        /// The operating system refused an operation.
        case io
        /// The sack is locked by another processor.
        case sackLocked
        /// Waiting for the sack lock took longer than allowed.
        case lockTimeout
    }

    public var code: Code
    public var message: String
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
