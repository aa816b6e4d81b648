import Foundation
import Hummingbird
import NIOCore

/// An error answered to a client, in Gnocchi's JSON error shape:
/// `{"code": 404, "description": <string or object>, "title": "Not Found"}`.
///
/// `description` is a plain message, or an object such as `{"cause": "Invalid input", "reason": …, "detail": […]}`
/// for validation errors, exactly where Gnocchi sends one.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var description: JSONValue
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.description = .string(message)
        self.headers = headers
    }

    public init(_ status: HTTPResponse.Status, detail: JSONValue, headers: HTTPFields = [:]) {
        self.status = status
        self.description = detail
        self.headers = headers
    }

    /// A voluptuous-style validation error: `{"cause": "Invalid input", "reason": …, "detail": [path…]}`.
    public static func invalidInput(_ reason: String, path: [String] = []) -> APIError {
        APIError(.badRequest, detail: .object([
            "cause": .string("Invalid input"),
            "reason": .string(reason),
            "detail": .array(path.map { .string($0) }),
        ]))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = .object([
            "code": .integer(Int64(status.code)),
            "description": description,
            "title": .string(status.reasonPhrase),
        ])
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }
}
