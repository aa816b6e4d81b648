import Foundation
import Hummingbird
import Logging
import StratusCore
import Synchronization
@testable import StratusAlarms

/// Helpers of the evaluation and notifier tests.
enum AlarmTestSupport {
    /// A request a listener received: authority, headers in wire order with their spelling, body.
    struct Received: Sendable {
        var path: String
        var authority: String?
        var headers: [(name: String, value: String)]
        var body: String
    }

    /// Requests received by a listener.
    final class Inbox: Sendable {
        private let storage = Mutex<[Received]>([])
        var all: [Received] { storage.withLock { $0 } }
        func append(_ request: Received) { storage.withLock { $0.append(request) } }

        /// Waits until `count` requests arrived (or `seconds` passed).
        func wait(for count: Int, seconds: Double = 10) async -> [Received] {
            let deadline = Date().addingTimeInterval(seconds)
            while all.count < count && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return all
        }
    }

    /// A router recording every POST into `inbox` and answering `status`.
    static func recordingRouter(_ inbox: Inbox, status: HTTPResponse.Status = .ok) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            inbox.append(Received(
                path: request.uri.path, authority: request.head.authority,
                headers: request.headers.map { ($0.name.rawName, $0.value) }, body: String(buffer: body)))
            return Response(status: status)
        }
        return router
    }

    /// Runs `body` with a Hummingbird server on a free loopback port, its base URL passed in.
    static func withServer<T: Sendable>(
        _ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "alarm-test"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "alarm-test-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw GnocchiClientError(status: nil, message: "the test server did not start")
            }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Log lines captured by tests.
    final class Logs: Sendable {
        struct Line: Sendable {
            var level: Logger.Level
            var message: String
            var metadata: [String: String]
        }

        private let storage = Mutex<[Line]>([])
        var lines: [Line] { storage.withLock { $0 } }
        func append(_ line: Line) { storage.withLock { $0.append(line) } }

        var logger: Logger {
            Logger(label: "alarm-test") { _ in CapturingHandler(logs: self) }
        }
    }

    struct CapturingHandler: LogHandler {
        let logs: Logs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
                merged[key] = "\(value)"
            }
            logs.append(Logs.Line(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}
