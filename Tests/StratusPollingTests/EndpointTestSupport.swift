import Hummingbird
import Logging
import StratusCore
import StratusTesting
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
        try await LoopbackServer.run(router, name: "endpoint-test") { port in try await body("http://127.0.0.1:\(port)") }
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
typealias EndpointTestLogs = LogLines

/// Counts and last values shared with route handlers.
final class EndpointTestCounter: Sendable {
    private let storage = Mutex<[String: Int]>([:])
    private let values = Mutex<[String: String]>([:])

    func increment(_ key: String) { storage.withLock { $0[key, default: 0] += 1 } }

    func count(_ key: String) -> Int { storage.withLock { $0[key, default: 0] } }

    func record(_ key: String, _ value: String) { values.withLock { $0[key] = value } }

    func value(_ key: String) -> String? { values.withLock { $0[key] } }
}
