import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StratusAPI

/// A request the API refused or could not be sent, with the message a user needs.
struct ClientError: Error, CustomStringConvertible {
    /// Gnocchi's error description, or what went wrong on the way.
    var message: String
    /// The HTTP status of the answer; nil when there was no answer.
    var status: Int?

    /// `message (HTTP status)`, as gnocchiclient prints its errors.
    var description: String { status.map { "\(message) (HTTP \($0))" } ?? message }
}

/// A small HTTP client for Gnocchi's `/v1` REST API, over AsyncHTTPClient (not `URLSession`: linking
/// FoundationNetworking and libcurl into the binary costs every role, the servers too, ~6 MiB of RSS).
///
/// Authenticates with HTTP Basic as gnocchiclient's `gnocchi-basic` plug-in does (the user name, an
/// empty password); answers with a status of 400 or more become a ``ClientError`` carrying the
/// `description` of Gnocchi's error body.
struct GnocchiHTTPClient: Sendable {
    /// An answer: its status, its JSON body (nil when empty), and the `rel="next"` page it links to.
    struct Response: Sendable {
        var status: Int
        var body: JSONValue?
        var next: URL?
    }

    /// The endpoint the `/v1` paths are appended to.
    let endpoint: URL
    /// The HTTP Basic user name.
    let user: String

    /// `GET /v1/<path>`.
    func get(_ path: String, query: [(String, String)] = []) async throws -> Response {
        try await send("GET", url(path, query: query))
    }

    /// `POST /v1/<path>` with a JSON body.
    func post(_ path: String, _ body: JSONValue) async throws -> Response {
        try await send("POST", url(path), body: body)
    }

    /// `PATCH /v1/<path>` with a JSON body.
    func patch(_ path: String, _ body: JSONValue) async throws -> Response {
        try await send("PATCH", url(path), body: body)
    }

    /// `DELETE /v1/<path>`.
    func delete(_ path: String) async throws -> Response {
        try await send("DELETE", url(path))
    }

    /// `GET`s `path` and every page its `Link: rel="next"` headers lead to, until `limit` items are read.
    func getAllPages(_ path: String, query: [(String, String)], limit: Int?) async throws -> [JSONValue] {
        var items = [JSONValue]()
        var response = try await get(path, query: query)
        while true {
            items += response.body?.arrayValue ?? []
            if let limit, items.count >= limit { return Array(items.prefix(limit)) }
            guard let next = response.next else { return items }
            response = try await send("GET", next)
        }
    }

    /// The URL of `/<version>/<path>` (`/v1` for Gnocchi, `/v2` for Aodh); each path segment is
    /// percent-encoded, so names may hold any character.
    func url(_ path: String, query: [(String, String)] = [], version: String = "v1") -> URL {
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.percentEncoded(String($0)) }
        var text = base + "/" + version + "/" + segments.joined(separator: "/")
        if !query.isEmpty {
            text += "?" + query.map { Self.percentEncoded($0.0) + "=" + Self.percentEncoded($0.1) }.joined(separator: "&")
        }
        // Every character outside the unreserved set was escaped, and the endpoint already parsed.
        return URL(string: text)!
    }

    /// Sends `method` to `url` with an optional JSON body.
    /// - Throws: ``ClientError`` when the server is unreachable, answers an error, or answers a body that is not JSON.
    func send(_ method: String, _ url: URL, body: JSONValue? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "basic " + Data((user + ":").utf8).base64EncodedString())
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        // One client per request (a command sends a few), which fails at once when the server is unreachable:
        // the shared client retries connecting until the request's deadline.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let status: Int, data: Data, link: String?
        do {
            let answer = try await client.execute(request, timeout: .seconds(120))
            status = Int(answer.status.code)
            link = answer.headers.first(name: "Link")
            data = Data(buffer: try await answer.body.collect(upTo: 256 << 20))
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw ClientError(message: "Unable to reach \(endpoint.absoluteString): \(error)")
        }
        let json = data.isEmpty ? nil : try? JSONValue.parse(data)
        guard status < 400 else {
            throw ClientError(message: Self.errorMessage(json: json, data: data, status: status), status: status)
        }
        if !data.isEmpty && json == nil {
            throw ClientError(message: "\(method) \(url.absoluteString) answered a body that is not JSON", status: status)
        }
        return Response(status: status, body: json, next: link.flatMap(Self.nextLink))
    }

    /// The message of an error answer: Aodh's `error_message.faultstring`, Gnocchi's `description` (a
    /// string, or an object with a `cause`, a `reason` and a `detail`), Keystone's `error.message`, else
    /// the body's text or the status's name.
    static func errorMessage(json: JSONValue?, data: Data, status: Int) -> String {
        if let fault = json?["error_message"]?["faultstring"]?.stringValue { return fault }
        if let description = json?["description"] {
            if let text = description.stringValue { return text }
            if let cause = description["cause"]?.stringValue {
                var message = cause
                if let reason = description["reason"]?.stringValue { message += ": " + reason }
                if let detail = description["detail"], detail != .array([]), detail != .null {
                    message += " (" + String(decoding: detail.serialized(), as: UTF8.self) + ")"
                }
                return message
            }
            return String(decoding: description.serialized(), as: UTF8.self)
        }
        if let message = json?["error"]?["message"]?.stringValue { return message }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? HTTPResponseStatus(statusCode: status).reasonPhrase : text
    }

    /// The `rel="next"` target of an RFC 5988 `Link` header.
    static func nextLink(_ header: String) -> URL? {
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  parts.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "") == "rel=next" }) else { continue }
            return URL(string: String(target.dropFirst().dropLast()))
        }
        return nil
    }

    /// `text` with everything but RFC 3986's unreserved characters percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
