import Foundation
import Hummingbird
import Logging
import StratusCore
import StratusTesting
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
        try await LoopbackServer.run(router, name: "alarm-test") { port in try await body("http://127.0.0.1:\(port)") }
    }

    /// Log lines captured by tests.
    typealias Logs = LogLines
}
