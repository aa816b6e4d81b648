import Hummingbird
import Logging

/// A Hummingbird server on a free loopback port for the duration of a test body.
public enum LoopbackServer {
    /// The server stopped before it reported its port.
    public struct NotStarted: Error, CustomStringConvertible {
        public var description: String { "the test server did not start" }
    }

    /// Runs `app` while `body` runs with the port it reports on `ports`, then stops it (and waits for it).
    public static func run<App: ApplicationProtocol, R: Sendable>(
        _ app: App, ports: AsyncStream<Int>, _ body: @Sendable (Int) async throws -> R
    ) async throws -> R {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw NotStarted()
            }
            do {
                let result = try await body(port)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Runs a server of `router` on `127.0.0.1` and a free port while `body` runs with that port.
    public static func run<R: Sendable>(
        _ router: Router<BasicRequestContext>, name: String = "stratus-test", _ body: @Sendable (Int) async throws -> R
    ) async throws -> R {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: name),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: name, factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await run(app, ports: ports, body)
    }
}
