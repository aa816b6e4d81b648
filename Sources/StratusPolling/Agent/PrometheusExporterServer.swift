import Hummingbird
import Logging
import NIOCore

/// The listeners of `prometheus_listen_addresses`: every path answers the exporter's text, as
/// Prometheus' Python client does.
public enum PrometheusExporterServer {
    /// A `host:port` that cannot be listened on.
    public struct AddressError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Splits `host:port` (`[v6]:port` too).
    public static func parse(_ address: String) throws(AddressError) -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65_535).contains(port) else {
            throw AddressError(description: "polling.prometheus_listen_addresses: '\(address)' is not HOST:PORT")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw AddressError(description: "polling.prometheus_listen_addresses: '\(address)' has no host") }
        return (host, port)
    }

    /// The server of one address; run it as a `Service`.
    public static func makeApplication(
        exporter: PrometheusSampleExporter, host: String, port: Int, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let respond: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: exporter.render())))
        }
        router.get("/", use: respond)
        router.get("/**", use: respond)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "stratus-polling-exporter"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
