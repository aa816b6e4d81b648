import NIOCore
import StratusCore

/// Why a Gnocchi request did not succeed.
enum GnocchiFailure: Error, Sendable, CustomStringConvertible {
    /// No answer, or a 5xx: Gnocchi is down or overloaded; try again later.
    case unavailable(String)
    /// A 4xx that retrying will not change.
    case rejected(status: Int, message: String)

    var description: String {
        switch self {
        case .unavailable(let reason): "Gnocchi unavailable: \(reason)"
        case .rejected(let status, let message): "Gnocchi refused the request (HTTP \(status)): \(message)"
        }
    }
}

/// The Gnocchi `/v1` calls of the publisher, with the configured identity
/// (`[publisher] gnocchi_user`, and keystone headers when set).
struct GnocchiClient: Sendable {
    /// The endpoint, without a trailing `/`.
    let endpoint: String
    let headers: [(String, String)]
    let sender: HTTPSender

    init(configuration: PublisherConfiguration, timeout: Double) {
        var endpoint = configuration.gnocchiURL
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        var headers = [("Authorization", HTTPSender.basicAuthorization(user: configuration.gnocchiUser, password: ""))]
        if let user = configuration.gnocchiUserID { headers.append(("X-User-Id", user)) }
        if let project = configuration.gnocchiProjectID { headers.append(("X-Project-Id", project)) }
        if let roles = configuration.gnocchiRoles { headers.append(("X-Roles", roles)) }
        self.headers = headers
        sender = HTTPSender(timeout: .nanoseconds(Int64(timeout * 1e9)))
    }

    /// Sends a request; answers of 500 or more, and no answer, are ``GnocchiFailure/unavailable(_:)``.
    /// - Parameters:
    ///   - path: After `/v1/`, already percent-encoded.
    ///   - contentType: Of `body`.
    func send(
        _ method: String, _ path: String, body: ByteBuffer? = nil, contentType: String = "application/json"
    ) async throws(GnocchiFailure) -> HTTPAnswer {
        var headers = self.headers
        if body != nil { headers.append(("Content-Type", contentType)) }
        let answer: HTTPAnswer
        do {
            answer = try await sender.send(method, endpoint + "/v1/" + path, headers: headers, body: body)
        } catch {
            throw .unavailable(error.reason)
        }
        if answer.status >= 500 { throw .unavailable("HTTP \(answer.status) from \(method) /v1/\(path)") }
        return answer
    }

    /// `send` with a telemetry value as the JSON body.
    func send(_ method: String, _ path: String, json: TelemetryValue) async throws(GnocchiFailure) -> HTTPAnswer {
        try await send(method, path, body: ByteBuffer(string: TelemetryJSON.encode(json)))
    }

    /// The `description` of a Gnocchi error body (a string, or an object such as
    /// `{"cause": "Unknown resources", "detail": […]}`), or the text as is.
    static func description(of answer: HTTPAnswer) -> TelemetryValue {
        guard let decoded = try? TelemetryJSON.decode(answer.text), case .dictionary(let body) = decoded,
              let description = body["description"] else {
            return .string(answer.text)
        }
        return description
    }

    /// A short text of an error answer for logs.
    static func message(of answer: HTTPAnswer) -> String {
        switch description(of: answer) {
        case .string(let text): text
        case let other: TelemetryJSON.encode(other)
        }
    }
}
