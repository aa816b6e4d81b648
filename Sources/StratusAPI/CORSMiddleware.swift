import HTTPTypes
import Hummingbird
import StratusCore

/// Cross-origin resource sharing as oslo.middleware does it: only listed origins get the CORS headers, and
/// preflight `OPTIONS` requests are answered directly.
struct OriginListCORSMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let configuration: CORSConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin],
              configuration.allowedOrigins.contains("*") || configuration.allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = origin
        headers[.vary] = "Origin"
        if configuration.allowCredentials { headers[.accessControlAllowCredentials] = "true" }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            headers[.accessControlAllowMethods] = configuration.allowMethods.joined(separator: ", ")
            headers[.accessControlAllowHeaders] = configuration.allowHeaders.joined(separator: ", ")
            if let maxAge = configuration.maxAge { headers[.accessControlMaxAge] = String(maxAge) }
            return Response(status: .ok, headers: headers)
        }
        var response = try await next(request, context)
        headers[.accessControlExposeHeaders] = configuration.exposeHeaders.joined(separator: ", ")
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}
