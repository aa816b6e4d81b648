import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Builds the Stratus HTTP application: the Gnocchi `/v1` API, one route collection per resource.
public enum APIRouter {
    /// The router with every route; tests drive it in-process, `stratus api` serves it.
    public static func build(_ environment: APIEnvironment) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: environment.metrics))
        if !environment.cors.allowedOrigins.isEmpty {
            router.add(middleware: OriginListCORSMiddleware(configuration: environment.cors))
        }
        router.add(middleware: ErrorMiddleware())
        RootRoutes(environment: environment).register(on: router)
        StatusRoutes(environment: environment).registerUnauthenticated(on: router)
        ConsoleRoutes(environment: environment).register(on: router)
        let authenticated = router.group().add(middleware: AuthMiddleware(mode: environment.authMode))
        for collection in routeCollections(environment) {
            collection.register(on: authenticated)
        }
        return router
    }

    /// One route collection per REST resource (`Routes/`).
    static func routeCollections(_ environment: APIEnvironment) -> [any APIRouteCollection] {
        [
            ArchivePolicyRoutes(environment: environment),
            ArchivePolicyRuleRoutes(environment: environment),
            MetricRoutes(environment: environment),
            MeasuresRoutes(environment: environment),
            BatchRoutes(environment: environment),
            ResourceBatchRoutes(environment: environment),
            ResourceTypeRoutes(environment: environment),
            ResourceRoutes(environment: environment),
            ResourceMetricRoutes(environment: environment),
            StatusRoutes(environment: environment),
            SearchRoutes(environment: environment),
            AggregatesRoutes(environment: environment),
            AlarmRoutes(environment: environment),
        ]
    }
}

/// A set of routes for one REST resource.
public protocol APIRouteCollection: Sendable {
    func register(on group: RouterGroup<APIRequestContext>)
}

/// Turns any error escaping a route into Gnocchi's JSON error body: client errors keep their status, anything
/// unexpected becomes a logged 500 without internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try APIError(.contentTooLarge, "Request body too large").response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            return try APIError(error.status, message, headers: error.headers).response(from: request, context: context)
        } catch {
            context.logger.error("Unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, "Internal server error").response(from: request, context: context)
        }
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
