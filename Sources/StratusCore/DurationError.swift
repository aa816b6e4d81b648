/// A duration (timespan) that Stratus cannot accept, with the text that was given.
public struct DurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reason Gnocchi gives for text that is not a timespan.
    public static let unparsableReason = "Unable to parse timespan"
    /// The reason given for a timespan that does not fit in 64-bit nanoseconds (about 292 years).
    public static let outOfRangeReason = "Timespan out of range"

    /// The text that was parsed.
    public var text: String
    /// A human readable reason, such as "Unable to parse timespan".
    public var reason: String

    /// Creates an error.
    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    /// `reason: 'text'`, for example `Unable to parse timespan: 'five minutes'`.
    public var description: String { "\(reason): '\(text)'" }
}
