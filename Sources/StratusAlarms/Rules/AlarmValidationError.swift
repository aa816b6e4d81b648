/// An alarm definition (rule, time constraint) the API must refuse; `reason` becomes Aodh's
/// `faultstring` in a 400 answer.
public struct AlarmValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, readable: "granularity must be between 1 and 31536000".
    public var reason: String

    /// Creates an error with its reason.
    public init(_ reason: String) { self.reason = reason }

    /// Creates an error with its reason.
    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
