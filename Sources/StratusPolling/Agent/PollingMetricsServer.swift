import Hummingbird
import Logging
import NIOCore

/// The agent's health endpoint: `GET /metrics` (Prometheus text) and `GET /healthcheck` on a
/// loopback port.
public enum PollingMetricsServer {
    /// Builds the server; run it as a `Service`.
    /// - Parameters:
    ///   - metrics: What `/metrics` shows.
    ///   - port: The loopback port (0 picks a free one).
    ///   - onListening: Called with the bound port once the server accepts connections.
    public static func makeApplication(
        metrics: PollingMetrics, port: Int, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/healthcheck") { _, _ -> HTTPResponse.Status in .ok }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "stratus-polling"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? port)
            },
            logger: logger)
    }
}
