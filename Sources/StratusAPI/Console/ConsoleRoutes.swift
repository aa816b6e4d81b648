import HTTPTypes
import Hummingbird
import NIOCore
import StratusCore

/// The web console at `/ui/`: static files compiled into the binary, plus `/ui/config.json` (the auth mode, so
/// the page knows whether to ask for a user name). No authentication here: the page signs in by sending the
/// user's credentials with each `/v1` and `/v2` request it makes, so the API's policy applies as for any client.
struct ConsoleRoutes: Sendable {
    let environment: APIEnvironment

    /// Served for every console response: no framing, no inline scripts or styles, API calls to this origin only.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    func register(on router: Router<APIRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            // The router ignores a trailing slash: `/ui` and `/ui/` reach the same handler.
            router.on("/ui", method: method) { request, _ in
                request.uri.path.hasSuffix("/") ? try serve("index.html", request) : redirect(request)
            }
            router.on("/ui/config.json", method: method) { request, _ in config(request) }
            router.on("/ui/**", method: method) { request, context in
                try serve(context.parameters.getCatchAll().joined(separator: "/"), request)
            }
        }
    }

    /// `/ui` → `/ui/`, so the page's relative links resolve under `/ui/`.
    func redirect(_ request: Request) -> Response {
        var location = environment.baseURL(of: request) + "/ui/"
        if let query = request.uri.query, !query.isEmpty { location += "?" + query }
        return Response(status: .movedPermanently, headers: [.location: location, .contentLength: "0"])
    }

    /// An embedded file with its type, `ETag` and `Cache-Control: no-cache` (browsers revalidate, and get `304`
    /// while the binary is the same); `404` for a path that is not an asset.
    func serve(_ path: String, _ request: Request) throws -> Response {
        guard let asset = ConsoleAssets.asset(at: path) else {
            throw APIError(.notFound, "Not Found")
        }
        var headers = Self.securityHeaders
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.count)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    /// What the page needs before it signs in: the auth mode and the version.
    func config(_ request: Request) -> Response {
        let body: JSONValue = ["auth_mode": .string(environment.authMode.rawValue), "version": .string(StratusVersion.string)]
        var headers = Self.securityHeaders
        headers[.cacheControl] = "no-store"
        var response = Response.json(body, headers: headers)
        if request.method == .head { response.body = ResponseBody() }
        return response
    }

    /// `If-None-Match`: `*` or a list of tags, compared weakly (a `W/` prefix is ignored), as RFC 9110 says for it.
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }
}
