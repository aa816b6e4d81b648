/// A Gnocchi request that failed: an error answer, or no answer.
public struct GnocchiClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status; nil when the API could not be reached or answered garbage.
    public var status: Int?
    /// Gnocchi's `description` (or what went wrong on the way).
    public var message: String

    /// Creates an error.
    public init(status: Int?, message: String) {
        self.status = status
        self.message = message
    }

    /// As gnocchiclient prints its exceptions: `message (HTTP status)`.
    public var description: String { status.map { "\(message) (HTTP \($0))" } ?? message }
}
