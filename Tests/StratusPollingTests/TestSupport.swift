import Foundation
import Logging
import StratusCore
import StratusPolling
import Synchronization

/// A unique temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = NSTemporaryDirectory() + "stratus-polling-tests-" + UUID().uuidString.lowercased()
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A publisher that keeps every batch.
final class RecordingPublisher: SamplePublisher {
    private let state = Mutex<[[MeterMessage]]>([])
    var batches: [[MeterMessage]] { state.withLock { $0 } }
    var messages: [MeterMessage] { batches.flatMap { $0 } }
    func publish(_ messages: [MeterMessage]) async throws { state.withLock { $0.append(messages) } }
}

/// A pollster returning `count` samples per resource, recording what it was asked.
final class FakePollster: Pollster {
    let meterName: String
    let defaultDiscovery: String?
    let samplesPerResource: Int
    let failure: (@Sendable ([PollingResource]) -> (any Error)?)?
    private let calls = Mutex<[[PollingResource]]>([])

    init(
        _ meterName: String, defaultDiscovery: String? = "fake", samplesPerResource: Int = 1,
        failure: (@Sendable ([PollingResource]) -> (any Error)?)? = nil
    ) {
        self.meterName = meterName
        self.defaultDiscovery = defaultDiscovery
        self.samplesPerResource = samplesPerResource
        self.failure = failure
    }

    var polled: [[PollingResource]] { calls.withLock { $0 } }

    func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
        calls.withLock { $0.append(resources) }
        if let error = failure?(resources) { throw error }
        var samples: [Sample] = []
        for resource in resources {
            for index in 0..<samplesPerResource {
                samples.append(Sample(
                    name: meterName, type: .gauge, unit: "unit", volume: .int(Int64(index)), resourceID: resource.id,
                    timestamp: "1999-01-01T00:00:00"))
            }
        }
        return samples
    }
}

/// A discoverer returning fixed resources and counting its calls.
final class FakeDiscoverer: Discoverer {
    let resources: [PollingResource]
    private let count = Mutex(0)
    init(_ resources: [PollingResource]) { self.resources = resources }
    var calls: Int { count.withLock { $0 } }
    func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        count.withLock { $0 += 1 }
        return resources
    }
}

struct FakeError: Error {}

func testEnvironment() -> PollingEnvironment {
    var logger = Logger(label: "stratus.polling.tests")
    logger.logLevel = .critical
    let configuration = try! ConfigurationFile.parse(yaml: "", file: "test.yaml")
    return PollingEnvironment(configuration: configuration, logger: logger, hostName: "testhost")
}

func settings(
    publisher: any SamplePublisher, batchSize: Int = 50, secret: String = "secret", metrics: PollingMetrics = PollingMetrics(),
    now: @escaping @Sendable () -> Int64 = { 1_764_081_611_123_456_789 }
) -> PollingTaskSettings {
    let environment = testEnvironment()
    return PollingTaskSettings(
        telemetrySecret: secret, batchSize: batchSize, publisher: publisher, metrics: metrics, environment: environment,
        logger: environment.logger, now: now, shuffleSources: false)
}

func source(_ name: String, interval: Int = 60, meters: [String], resources: [String] = [], discovery: [String] = []) -> PollingSource {
    PollingSource(name: name, interval: interval, meters: try! MeterSelector(meters), resources: resources, discovery: discovery)
}
