import Hummingbird
import Logging

/// The request context of every Stratus API route: Hummingbird's core storage plus the caller's identity,
/// set by `AuthMiddleware` before any route runs.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil only on unauthenticated routes (`/`, `/healthcheck`).
    public var identity: Identity?
    /// Request bodies are limited to this many bytes (413 beyond).
    public var maxUploadSize: Int { 64 * 1024 * 1024 }

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The identity, or 401 when the route was reached without one.
    public func requireIdentity() throws(APIError) -> Identity {
        guard let identity else { throw APIError(.unauthorized, "Authentication required") }
        return identity
    }
}

/// Establishes the caller's identity with the configured auth mode, for every route under it.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let mode: AuthMode

    public init(mode: AuthMode) { self.mode = mode }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.identity = try mode.identity(of: request)
        return try await next(request, context)
    }
}
