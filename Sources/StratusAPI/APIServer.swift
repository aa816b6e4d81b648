import Hummingbird
import Logging
import NIOCore

/// The Stratus API as a service: Hummingbird serving `APIRouter` on a host and port.
public enum APIServer {
    /// Builds the application; run it as a `Service` in the role's ServiceGroup.
    /// - Parameters:
    ///   - onListening: called with the bound port once the server accepts connections (useful with port 0).
    public static func makeApplication(
        environment: APIEnvironment, host: String, port: Int, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: APIRouter.build(environment),
            configuration: .init(address: .hostname(host, port: port), serverName: "Stratus"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? port)
            },
            logger: logger)
    }
}
