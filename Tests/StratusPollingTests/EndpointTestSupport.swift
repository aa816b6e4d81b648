import Hummingbird
import Logging
import StratusCore
import Synchronization
@testable import StratusPolling

/// Helpers of the endpoint, dynamic pollster and ipmi tests.
enum EndpointTestSupport {
    /// `Tests/StratusPollingTests/Fixtures/<name>`.
    static func fixture(_ name: String) -> String {
        let file = "\(#filePath)"
        let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return "\(directory)/Fixtures/\(name)"
    }

    /// A poll context over an empty configuration, logging into `logs`.
    static func context(logs: EndpointTestLogs = EndpointTestLogs(), hostName: String = "node-1") throws -> PollContext {
        let configuration = try ConfigurationFile.parse(yaml: "", file: "test.yaml")
        let logger = logs.logger
        let environment = PollingEnvironment(
            configuration: configuration, logger: logger, namespaces: PollingNamespace.all, hostName: hostName)
        return PollContext(
            timestampNanoseconds: 1_795_000_000_000_000_000, cache: PollingCache(), sourceName: "test", logger: logger,
            environment: environment)
    }

    /// Runs `body` with a Hummingbird server on a free loopback port, its base URL passed in.
    static func withServer<T: Sendable>(
        _ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "endpoint-test"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "endpoint-test-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw EndpointError(.unreachable, "the test server did not start")
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

    /// A definition parsed from YAML, failing the test when it is invalid.
    static func definition(_ yaml: String) throws -> DynamicPollsterDefinition {
        let parsed = DynamicPollsterDefinitionParser.parse(yaml, file: "test.yaml")
        if let error = parsed.errors.first { throw error }
        guard let first = parsed.definitions.first else { throw ConfigurationError(reason: "no definition") }
        return first
    }
}

/// Log lines captured by tests.
final class EndpointTestLogs: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Line]>([])

    var lines: [Line] { storage.withLock { $0 } }

    func append(_ line: Line) { storage.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "endpoint-test") { _ in EndpointTestLogHandler(logs: self) }
    }

    /// The lines at warning level or above.
    var warnings: [Line] { lines.filter { $0.level >= .warning } }
}

struct EndpointTestLogHandler: LogHandler {
    let logs: EndpointTestLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { flat[key] = "\(value)" }
        logs.append(.init(level: event.level, message: "\(event.message)", metadata: flat))
    }
}

/// Counts and last values shared with route handlers.
final class EndpointTestCounter: Sendable {
    private let storage = Mutex<[String: Int]>([:])
    private let values = Mutex<[String: String]>([:])

    func increment(_ key: String) { storage.withLock { $0[key, default: 0] += 1 } }

    func count(_ key: String) -> Int { storage.withLock { $0[key, default: 0] } }

    func record(_ key: String, _ value: String) { values.withLock { $0[key] = value } }

    func value(_ key: String) -> String? { values.withLock { $0[key] } }
}
