import HTTPTypes
import Hummingbird

/// Pecan's answer to a method a REST controller does not implement: 405 with an empty description and an
/// `Allow` header listing the implemented methods, sorted.
enum MethodNotAllowed {
    /// Registers a 405 handler for each of `methods` on `path`.
    /// - Parameters:
    ///   - allow: the `Allow` header value (`"GET, POST"`).
    ///   - before: checks Gnocchi makes before routing on the method (a `_lookup` that 404s).
    static func register(
        _ methods: [String], on group: RouterGroup<APIRequestContext>, path: RouterPath, allow: String,
        before: (@Sendable (Request, APIRequestContext) async throws -> Void)? = nil
    ) {
        for method in methods {
            group.on(path, method: HTTPRequest.Method(method)!) { request, context -> Response in
                try await before?(request, context)
                throw APIError(.methodNotAllowed, "", headers: [.allow: allow])
            }
        }
    }
}
