import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StratusCore
@testable import StratusPipeline
@testable import StratusPolling
import Synchronization
import Testing

/// The transport between polling agents and notification agents: the listener's
/// acknowledgement, signatures, consistent hashing over two agents, the spool.
@Suite("Notification transport", .serialized)
struct NotificationTransportTests {
    static let logger = Logger(label: "test.notification")

    /// A running notification agent on a loopback port.
    final class Agent: Sendable {
        let port: Int
        let metrics: NotificationMetrics
        private let task: Task<Void, any Error>

        init(port: Int, metrics: NotificationMetrics, task: Task<Void, any Error>) {
            self.port = port
            self.metrics = metrics
            self.task = task
        }

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    /// Starts an agent running `yaml` with `publishers` registered; waits until it listens.
    static func startAgent(
        yaml: String, publishers: PublisherRegistry, secret: String = "", port: Int = 0
    ) async throws -> Agent {
        let context = PublisherContext(logger: logger)
        let definition = try PipelineDefinition.parse(yaml: yaml, file: "pipeline.yaml", publishers: publishers, context: context)
        let manager = try PipelineManager(definition: definition, publishers: publishers, context: context)
        let metrics = NotificationMetrics()
        let queue = PipelineQueue(manager: manager, metrics: metrics, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = NotificationService(
            queue: queue, decoder: SampleBatchDecoder(secret: secret), metrics: metrics,
            settings: .init(host: "127.0.0.1", port: port, flushInterval: .milliseconds(200), reloadInterval: nil),
            logger: logger, onListening: { continuation.yield($0) })
        let task = Task { try await service.run() }
        var iterator = ports.makeAsyncIterator()
        let bound = try #require(await iterator.next())
        return Agent(port: bound, metrics: metrics, task: task)
    }

    static func post(_ body: String, port: Int) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/samples")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func cpuSample(resource: String, volume: Int64, at time: Double) -> Sample {
        Sample(
            name: "cpu", type: .cumulative, unit: "ns", volume: .int(volume), userID: "u", projectID: "p", resourceID: resource,
            timestamp: "2026-11-25T10:00:00", resourceMetadata: ["cpu_number": .int(1)], monotonicTime: time)
    }

    static let passThrough = """
        sources:
          - name: all
            meters: ["*"]
            sinks: [out]
        sinks:
          - name: out
            publishers: ["test://"]
        """

    /// A publisher that takes its time, then records.
    final class SlowPublisher: Publisher {
        let received = Mutex<[Sample]>([])
        func publish(_ samples: [Sample]) async throws {
            try await Task.sleep(for: .milliseconds(300))
            received.withLock { $0 += samples }
        }
    }

    @Test func theListenerAnswersOnlyAfterEverySinkHadTheBatch() async throws {
        let slow = SlowPublisher()
        let agent = try await Self.startAgent(yaml: Self.passThrough, publishers: PublisherRegistry(["test": { _, _ in slow }]))
        defer { Task { await agent.stop() } }
        let messages = (0..<3).map { MeterMessage(sample: Self.cpuSample(resource: "r\($0)", volume: 10, at: 1), secret: "").json }
        let response = try await Self.post("[" + messages.joined(separator: ",") + "]", port: agent.port)
        #expect(response.status == 200)
        #expect(response.body == #"{"received": 3, "accepted": 3, "bad_signature": 0, "invalid": 0}"#)
        #expect(slow.received.withLock { $0.map(\.resourceID) } == ["r0", "r1", "r2"])
        await agent.stop()
    }

    @Test func messagesWithABadSignatureAreRejectedAndCountedNeverPublished() async throws {
        let collector = TestPublisher()
        let agent = try await Self.startAgent(
            yaml: Self.passThrough, publishers: PublisherRegistry(["test": { _, _ in collector }]), secret: "s3cret")
        let good = MeterMessage(sample: Self.cpuSample(resource: "good", volume: 1, at: 1), secret: "s3cret")
        let forged = MeterMessage(sample: Self.cpuSample(resource: "forged", volume: 1, at: 1), secret: "other")
        var tampered = MeterMessage(sample: Self.cpuSample(resource: "tampered", volume: 1, at: 1), secret: "s3cret")
        tampered.fields["counter_volume"] = .int(999)
        let response = try await Self.post("[\(good.json),\(forged.json),\(tampered.json),42]", port: agent.port)
        #expect(response.status == 200)
        #expect(response.body == #"{"received": 4, "accepted": 1, "bad_signature": 2, "invalid": 1}"#)
        #expect(collector.samples.map(\.resourceID) == ["good"])
        #expect(agent.metrics.snapshot.badSignature == 2)
        await agent.stop()
    }

    @Test func aBodyThatIsNotABatchIsRefusedWith400() async throws {
        let agent = try await Self.startAgent(yaml: Self.passThrough, publishers: .builtIn)
        for body in ["not json", "{\"x\": 1}", "3"] {
            let response = try await Self.post(body, port: agent.port)
            #expect(response.status == 400, "\(body)")
            #expect(response.body.contains("description"))
        }
        let wrapped = try await Self.post(
            "{\"samples\": [\(MeterMessage(sample: Self.cpuSample(resource: "r", volume: 1, at: 1), secret: "").json)]}", port: agent.port)
        #expect(wrapped.status == 200)
        await agent.stop()
    }

    @Test func withTwoAgentsEveryResourceGoesToTheSameOneAndRateOfChangeSeesAllItsSamples() async throws {
        let yaml = """
            sources:
              - name: cpu
                meters: ["cpu"]
                sinks: [cpu_sink]
            sinks:
              - name: cpu_sink
                transformers:
                  - name: rate_of_change
                    parameters:
                      target: {name: cpu_util, unit: "%", type: gauge, scale: "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"}
                publishers: ["test://"]
            """
        let first = TestPublisher()
        let second = TestPublisher()
        let agentA = try await Self.startAgent(yaml: yaml, publishers: PublisherRegistry(["test": { _, _ in first }]))
        let agentB = try await Self.startAgent(yaml: yaml, publishers: PublisherRegistry(["test": { _, _ in second }]))
        let url = try NotifierURL("notifier://127.0.0.1:\(agentA.port),127.0.0.1:\(agentB.port)")
        let publisher = try NotifierPublisher(url: url, logger: Self.logger)
        let resources = (0..<40).map { "instance-\($0)" }
        // Five polling cycles, 10 s apart, each resource using 5 s of CPU per cycle: cpu_util 50 %.
        for cycle in 0..<5 {
            let messages = resources.map {
                MeterMessage(
                    sample: Self.cpuSample(resource: $0, volume: Int64(cycle) * 5_000_000_000, at: Double(cycle) * 10), secret: "")
            }
            try await publisher.publish(messages)
        }
        let onA = Dictionary(grouping: first.samples, by: \.resourceID)
        let onB = Dictionary(grouping: second.samples, by: \.resourceID)
        #expect(!onA.isEmpty && !onB.isEmpty, "both agents get a share")
        #expect(Set(onA.keys).isDisjoint(with: onB.keys), "no resource on both agents")
        #expect(Set(onA.keys).union(onB.keys) == Set(resources))
        for (resource, samples) in onA.merging(onB, uniquingKeysWith: +) {
            #expect(samples.count == 4, "\(resource): the first sample is dropped, the other four give a rate")
            #expect(samples.allSatisfy { $0.numericVolume.map { abs($0 - 50) < 1e-9 } ?? false })
        }
        for resource in resources {
            let index = publisher.agentIndex(forResource: resource)
            #expect((index == 0 ? onA : onB)[resource] != nil)
        }
        #expect(publisher.statistics.snapshot.delivered == 200)
        await agentA.stop()
        await agentB.stop()
    }

    @Test func batchesWaitInTheSpoolWhileTheAgentIsDownAndArriveInOrder() async throws {
        let port = try FreePort.pick()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let url = try NotifierURL("notifier://127.0.0.1:\(port)?spool_dir=\(spool)")
        let publisher = try NotifierPublisher(url: url, logger: Self.logger)
        for batch in 0..<4 {
            let messages = (0..<5).map { MeterMessage(sample: Self.cpuSample(resource: "r\(batch)-\($0)", volume: 1, at: 1), secret: "") }
            try await publisher.publish(messages)
        }
        #expect(publisher.statistics.snapshot.spooled == 20)
        let files = try FileManager.default.contentsOfDirectory(atPath: spool + "/127.0.0.1_\(port)").sorted()
        #expect(files.count == 4)
        #expect(files.allSatisfy { $0.hasSuffix("-5.json") })

        let collector = TestPublisher()
        let agent = try await Self.startAgent(yaml: Self.passThrough, publishers: PublisherRegistry(["test": { _, _ in collector }]), port: port)
        // Later batches queue behind the spool, so order is kept.
        try await publisher.publish([MeterMessage(sample: Self.cpuSample(resource: "last", volume: 1, at: 1), secret: "")])
        let deadline = ContinuousClock.now + .seconds(20)
        // The sender counts a batch (and removes its file) once the answer is back, just after the sink had it.
        while (collector.samples.count < 21 || publisher.statistics.snapshot.replayed < 21) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let expected = (0..<4).flatMap { batch in (0..<5).map { "r\(batch)-\($0)" } } + ["last"]
        #expect(collector.samples.map(\.resourceID) == expected)
        #expect(publisher.statistics.snapshot.replayed == 21)
        #expect(publisher.statistics.snapshot.dropped == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool + "/127.0.0.1_\(port)").isEmpty)
        await agent.stop()
    }

    @Test func aSpoolLeftByAPreviousRunIsReplayedAtStart() async throws {
        let port = try FreePort.pick()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let url = try NotifierURL("notifier://127.0.0.1:\(port)?spool_dir=\(spool)")
        do {
            let before = try NotifierPublisher(url: url, logger: Self.logger)
            try await before.publish([MeterMessage(sample: Self.cpuSample(resource: "from-before", volume: 1, at: 1), secret: "")])
            #expect(before.statistics.snapshot.spooled == 1)
            // The agent process stops (its replay attempts with it).
            await before.close()
        }
        let collector = TestPublisher()
        let agent = try await Self.startAgent(yaml: Self.passThrough, publishers: PublisherRegistry(["test": { _, _ in collector }]), port: port)
        // The agent restarts: nothing new is published, the old spool is sent on its own.
        let after = try NotifierPublisher(url: url, logger: Self.logger)
        let deadline = ContinuousClock.now + .seconds(10)
        while (collector.samples.isEmpty || after.statistics.snapshot.replayed < 1) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(collector.samples.map(\.resourceID) == ["from-before"])
        #expect(after.statistics.snapshot.replayed == 1)
        await agent.stop()
    }
}
