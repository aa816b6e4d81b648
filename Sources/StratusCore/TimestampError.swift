/// A timestamp that Stratus cannot accept, with the text that was given.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for callers that map errors to responses.
    public enum Code: Sendable, Hashable {
        /// Not a number, an ISO 8601 date or a relative time.
        case unparsable
        /// A valid time before 1970-01-01T00:00:00Z.
        case beforeEpoch
        /// A valid time after 2262-04-11T23:47:16.854775807Z, the last nanosecond an `Int64` holds.
        case outOfRange
    }

    /// The reason Gnocchi gives when a time is before the Unix epoch.
    public static let beforeEpochReason = "Timestamp must be after Epoch"
    /// The reason given for text that is not a timestamp.
    public static let unparsableReason = "Unable to parse timestamp"
    /// The reason given for a time Stratus cannot represent.
    public static let outOfRangeReason = "Timestamp out of range"

    /// The kind of failure.
    public var code: Code
    /// The text that was parsed (for numbers, their decimal representation).
    public var text: String
    /// A human readable reason, such as "Timestamp must be after Epoch".
    public var reason: String

    /// Creates an error; `reason` defaults to the standard reason of `code`.
    public init(code: Code, text: String, reason: String? = nil) {
        self.code = code
        self.text = text
        switch code {
        case .unparsable: self.reason = reason ?? Self.unparsableReason
        case .beforeEpoch: self.reason = reason ?? Self.beforeEpochReason
        case .outOfRange: self.reason = reason ?? Self.outOfRangeReason
        }
    }

    /// `reason: 'text'`, for example `Unable to parse timestamp: 'yesterday-ish'`.
    public var description: String { "\(reason): '\(text)'" }
}
