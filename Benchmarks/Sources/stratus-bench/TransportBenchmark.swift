import Foundation
import Logging
import StratusCore
import StratusPipeline
import StratusPolling
import Synchronization

/// `stratus-bench transport`: polling agent → notification agent over HTTP on loopback, as in
/// production: signed meter messages in batches of `--batch` (polling.batch_size), `--senders`
/// polling tasks publishing at once through one `notifier://` publisher, a `stratus notification`
/// listener (in this process) that decodes, verifies every signature and runs a `*` pipeline into
/// a counting publisher, acknowledging each batch after the pipeline.
///
/// Prints samples/s for: building + signing meter messages; the transport alone (pre-signed);
/// and both together.
enum TransportBenchmark {
    /// Counts what reaches the sink.
    final class CountingPublisher: Publisher {
        let count = Atomic<Int>(0)
        func publish(_ samples: [Sample]) async throws {
            count.add(samples.count, ordering: .relaxed)
        }
    }

    static func run(_ options: Options) async throws {
        let samples = try options.int("samples", default: 200_000)
        let batch = try options.int("batch", default: 50)
        let senders = try options.int("senders", default: 4)
        let secret = "benchmark secret"
        var logger = Logger(label: "stratus-bench.transport")
        logger.logLevel = .error

        let counter = CountingPublisher()
        let publishers = PublisherRegistry(["count": { _, _ in counter }])
        let context = PublisherContext(logger: logger)
        let yaml = "sources:\n  - name: all\n    meters: [\"*\"]\n    sinks: [out]\nsinks:\n  - name: out\n    publishers: [\"count://\"]\n"
        let definition = try PipelineDefinition.parse(yaml: yaml, file: "bench.yaml", publishers: publishers, context: context)
        let manager = try PipelineManager(definition: definition, publishers: publishers, context: context)
        let queue = PipelineQueue(manager: manager, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = NotificationService(
            queue: queue, decoder: SampleBatchDecoder(secret: secret), metrics: NotificationMetrics(),
            settings: .init(host: "127.0.0.1", port: 0, reloadInterval: nil), logger: logger,
            onListening: { continuation.yield($0) })
        let server = Task { try await service.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TransportBenchmarkError("the listener did not start") }

        // 1. Building and signing (what every polling agent does per sample).
        let resources = (0..<1000).map { "instance-\($0)" }
        var messages: [MeterMessage] = []
        messages.reserveCapacity(samples)
        let signing = Timing.seconds {
            for index in 0..<samples {
                let sample = Sample(
                    name: "cpu", type: .cumulative, unit: "ns", volume: .int(Int64(index) * 1_000_000), userID: "u", projectID: "p",
                    resourceID: resources[index % resources.count], timestamp: "2026-11-25T10:00:00.000000",
                    resourceMetadata: ["cpu_number": .int(2), "display_name": .string("vm"), "flavor": .dictionary(["name": "m1.small"])])
                messages.append(MeterMessage(sample: sample, secret: secret))
            }
        }
        print(String(format: "build + sign   %9.0f samples/s  (%d samples, %.2f s)", Double(samples) / signing, samples, signing))

        // 2. The receiving side alone, without HTTP: decode a body of `batch` messages, verify, convert.
        let decoder = SampleBatchDecoder(secret: secret)
        let bodies = stride(from: 0, to: samples, by: batch).map { start -> [UInt8] in
            Array(("[" + messages[start..<min(start + batch, samples)].map(\.json).joined(separator: ",") + "]").utf8)
        }
        var decoded = 0
        let receiving = try Timing.seconds {
            for body in bodies { decoded += try decoder.decode(bytes: body).samples.count }
        }
        guard decoded == samples else { throw TransportBenchmarkError("decoded \(decoded) of \(samples)") }
        print(String(format: "decode+verify  %9.0f samples/s  (one core, no HTTP)", Double(samples) / receiving))

        // 3. Transport: `senders` concurrent publishers of `batch`-sized batches.
        let publisher = try NotifierPublisher(url: try NotifierURL("notifier://127.0.0.1:\(port)"), logger: logger)
        let batches = stride(from: 0, to: samples, by: batch).map { Array(messages[$0..<min($0 + batch, samples)]) }
        let transport = try await Timing.seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        for index in stride(from: sender, to: batches.count, by: senders) {
                            try await publisher.publish(batches[index])
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let delivered = publisher.statistics.snapshot.delivered
        print(String(format: "transport      %9.0f samples/s  (%d delivered of %d, batch %d, %d senders, %.2f s)",
                     Double(delivered) / transport, delivered, samples, batch, senders, transport))
        print(String(format: "end to end     %9.0f samples/s  (build + sign + transport + verify + pipeline)",
                     Double(samples) / (signing + transport)))
        guard counter.count.load(ordering: .relaxed) == samples else {
            throw TransportBenchmarkError("the pipeline saw \(counter.count.load(ordering: .relaxed)) of \(samples) samples")
        }
        server.cancel()
        _ = try? await server.value
    }
}

struct TransportBenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
