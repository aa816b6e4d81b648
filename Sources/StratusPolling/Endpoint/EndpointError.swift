/// A failure reaching an endpoint, Keystone or a service catalog.
public struct EndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The request could not be sent or no answer came (connection refused, DNS, TLS, timeout).
        case unreachable
        /// The server answered with a status other than 200.
        case httpStatus
        /// The answer is not what was expected (not JSON, missing fields).
        case invalidResponse
        /// Keystone refused the credentials or returned no token.
        case authentication
        /// The service catalog has no usable endpoint, or the catalog file is wrong.
        case catalog
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, with the URL when there is one.
    public var reason: String
    /// The HTTP status, for ``Code/httpStatus``.
    public var status: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, status: Int? = nil) {
        self.code = code
        self.reason = reason
        self.status = status
    }

    public var description: String { reason }
}
