import Foundation
import Logging
import StratusCore
import StratusPipeline

/// `stratus-bench pipeline --url http://127.0.0.1:8041`: samples per second through
/// `PipelineManager` with a pipeline.yaml (default: the repository's, rate_of_change and
/// `gnocchi://` in every sink) into a running Stratus API (`stratus all-in-one`).
///
/// The samples are what a libvirt polling agent sends: per instance and round, `cpu`,
/// `memory.usage`, `vcpus` (instance), `disk.device.read.bytes`, `disk.device.write.bytes`
/// (its disk) and `network.incoming.bytes`, `network.outgoing.bytes` (its NIC), with the nova
/// metadata, in batches of `--batch` (the polling agent's `batch_size`). Each batch is written as
/// the agent's request body and read back by the notification agent's decoder
/// (`SampleBatchDecoder`), so that it is what the listener hands to the pipeline: with
/// `--metadata interned` (the decoder's default) a resource's samples share one metadata
/// dictionary, with `--metadata fresh` (no interner) each has its own. A warm-up round (which
/// creates the resources and metrics) is made first; the measured rounds are made just in time
/// by a `BatchProducer` thread, whose CPU time is taken out of the figures (and the decoding part
/// of it reported on its own). The clock stops when every Gnocchi publisher has delivered its queue.
///
/// The batches go through a `PipelineQueue`, as the notification agent's HTTP listener hands them
/// over, from `--senders` concurrent senders (the `notifier://` publisher keeps 4 requests in
/// flight): batches that wait while the pipeline is busy are merged into one run, as in the agent.
/// Each sender has its own instances, so every resource's samples arrive in time order.
enum PipelineBenchmark {
    static func run(_ options: Options) async throws {
        let url = options.string("url") ?? "http://127.0.0.1:8041"
        let pipeline = options.string("pipeline") ?? defaultPipeline()
        let instances = try options.int("instances", default: 1_000)
        let total = try options.int("samples", default: 700_000)
        let batchSize = try options.int("batch", default: 50)
        let senders = max(1, try options.int("senders", default: 4))
        let user = options.string("user") ?? "admin"
        let metersPerRound = 7
        let metadata = options.string("metadata") ?? "interned"
        guard metadata == "interned" || metadata == "fresh" else {
            throw TransportBenchmarkError("--metadata must be interned (the decoder's default) or fresh")
        }
        let interning = metadata == "interned"
        let rounds = max(2, total / (instances * metersPerRound))

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var logger = Logger(label: "stratus-bench")
        logger.logLevel = .warning
        let context = PublisherContext(logger: logger, configuration: PublisherConfiguration(gnocchiURL: url, gnocchiUser: user))
        let manager = try PipelineManager(path: pipeline, context: context)

        print("## pipeline: \(pipeline) → \(url)")
        print("\(instances) instances × \(metersPerRound) meters × \(rounds) rounds = \(instances * metersPerRound * rounds) samples, batches of \(batchSize) from \(senders) senders, resource metadata \(metadata)")
        let generationStart = ContinuousClock.now
        let fleet = makeFleet(instances: instances)
        // Warm-up: archive policies, resource types, resources and metrics are created by the first round.
        let decoder = SampleBatchDecoder(secret: "", metadataInterner: interning ? JSONObjectInterner() : nil)
        let warmup = try makeBatches(fleet: fleet, rounds: 0..<1, batchSize: batchSize, senders: senders, decoder: decoder)
        let measuredCount = (rounds - 1) * instances * metersPerRound
        let inputCount = measuredCount + warmup.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        print("warm-up round generated in \(Format.millis((ContinuousClock.now - generationStart).seconds))")

        // Each background publisher once (the sinks' `gnocchi://` is one shared publisher).
        let publishers = await manager.backgroundPublishers()
        let metrics = NotificationMetrics()
        let queue = PipelineQueue(manager: manager, metrics: metrics, logger: logger)
        let runner = Task { await queue.run() }
        func send(_ perSender: [[[Sample]]]) async {
            await withTaskGroup(of: Void.self) { group in
                for batches in perSender {
                    group.addTask {
                        for batch in batches { await queue.submit(batch) }
                    }
                }
            }
        }

        await send(warmup)
        for publisher in publishers { _ = await publisher.waitUntilDelivered(timeout: .seconds(600)) }
        let publishedBefore = metrics.snapshot.published

        let requestsBefore = await requestCount(publishers)
        let clock = ContinuousClock()
        let cpuStart = processCPUSeconds()
        let start = clock.now
        // The measured rounds are made and decoded just in time by the producer's thread, whose CPU
        // time is taken out of the process's: what remains is the pipeline's and the publisher's.
        let producer = BatchProducer(senders: senders, queueLimit: 64)
        producer.start(fleet: fleet, rounds: 1..<rounds, batchSize: batchSize, decoder: decoder)
        await withTaskGroup(of: Void.self) { group in
            for stream in producer.streams {
                group.addTask {
                    for await batch in stream {
                        producer.taken()
                        await queue.submit(batch)
                    }
                }
            }
        }
        let made = await producer.finish()
        let published = metrics.snapshot.published - publishedBefore
        let pipelineDone = clock.now
        let pipelineCPU = processCPUSeconds() - cpuStart - made.total
        var delivered = true
        for publisher in publishers where !(await publisher.waitUntilDelivered(timeout: .seconds(600))) { delivered = false }
        let end = clock.now
        let totalCPU = processCPUSeconds() - cpuStart - made.total
        guard made.samples == measuredCount else {
            throw TransportBenchmarkError("the producer decoded \(made.samples) samples of \(measuredCount)")
        }
        let requests = await requestCount(publishers) - requestsBefore

        let pipelineSeconds = (pipelineDone - start).seconds
        let totalSeconds = (end - start).seconds
        var statistics = GnocchiPublisherStatistics()
        for publisher in publishers {
            guard let gnocchi = publisher as? GnocchiPublisher else { continue }
            let one = await gnocchi.statistics
            statistics.deliveredSamples += one.deliveredSamples
            statistics.droppedRejected += one.droppedRejected
            statistics.droppedOverflow += one.droppedOverflow
            statistics.unknownMeterSamples += one.unknownMeterSamples
            statistics.unavailableAttempts += one.unavailableAttempts
            statistics.resourcesCreated += one.resourcesCreated
            statistics.resourcesPatched += one.resourcesPatched
        }
        // CPU seconds are this process's (user + system, every thread) less the producer thread's: the
        // pipeline's and the Gnocchi publisher's work, whatever the API on the same machine takes;
        // samples per CPU second is the rate on one core of their own.
        print(Format.row(["phase", "samples in", "seconds", "samples/s", "agent CPU seconds", "samples per agent CPU second"]))
        print(Format.row(["---", "---", "---", "---", "---", "---"]))
        print(Format.row(["pipeline (transformers + mapping/queueing)", "\(measuredCount)", Format.fixed(pipelineSeconds, 3),
                          Format.rate(Double(measuredCount) / pipelineSeconds), Format.fixed(pipelineCPU, 3),
                          Format.rate(Double(measuredCount) / pipelineCPU)]))
        print(Format.row(["end to end (until Gnocchi accepted everything)", "\(measuredCount)", Format.fixed(totalSeconds, 3),
                          Format.rate(Double(measuredCount) / totalSeconds), Format.fixed(totalCPU, 3),
                          Format.rate(Double(measuredCount) / totalCPU)]))
        print(Format.row(["decoding alone (the listener's share: JSON, meter messages to samples)", "\(measuredCount)", "—", "—",
                          Format.fixed(made.decoding, 3), Format.rate(Double(measuredCount) / made.decoding)]))
        print(Format.row(["whole notification agent: decoding + end to end", "\(measuredCount)", "—", "—",
                          Format.fixed(made.decoding + totalCPU, 3), Format.rate(Double(measuredCount) / (made.decoding + totalCPU))]))
        var summary = "input \(inputCount) samples (\(measuredCount) measured after a warm-up round); published to sinks: \(published); "
        summary += "Gnocchi accepted \(statistics.deliveredSamples) measures in total, refused \(statistics.droppedRejected), "
        summary += "overflow \(statistics.droppedOverflow), unknown meters \(statistics.unknownMeterSamples), "
        summary += "unavailable attempts \(statistics.unavailableAttempts), resources created \(statistics.resourcesCreated), "
        summary += "patched \(statistics.resourcesPatched); \(requests) batch requests while measured"
        summary += " (\(requests > 0 ? Double(statistics.deliveredSamples) / Double(requests + requestsBefore) : 0) measures each on average)"
        if !delivered { summary += " — NOT all delivered within 600 s" }
        print(summary)
        runner.cancel()
        await runner.value
    }

    static func requestCount(_ publishers: [any BackgroundPublisher]) async -> Int {
        var count = 0
        for case let gnocchi as GnocchiPublisher in publishers { count += await gnocchi.statistics.batchRequests }
        return count
    }

    /// `pipeline.yaml` of the working directory, else of the repository (`Benchmarks/..`).
    static func defaultPipeline() -> String {
        if FileManager.default.fileExists(atPath: "pipeline.yaml") { return "pipeline.yaml" }
        return "../pipeline.yaml"
    }

    struct Instance {
        var id: String
        var metadata: [String: TelemetryValue]
        var disk: [String: TelemetryValue]
        var nic: [String: TelemetryValue]
    }

    static func makeFleet(instances: Int) -> [Instance] {
        var rng = SplitMix64(seed: 7)
        func uuid() -> String {
            let a = rng.next(), b = rng.next()
            let hex = String(format: "%016llx%016llx", a, b)
            let chars = Array(hex)
            return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[13..<16]) + "-8"
                + String(chars[17..<20]) + "-" + String(chars[20..<32])
        }
        return (0..<instances).map { index in
            let id = uuid()
            let metadata: [String: TelemetryValue] = [
                "display_name": .string("vm-\(index)"), "name": .string("instance-\(index)"), "instance_id": .string(id),
                "instance_type": "m1.small", "host": "h1", "instance_host": .string("compute-\(index % 20)"),
                "flavor": ["id": "2", "name": "m1.small", "vcpus": 2, "ram": 2048, "disk": 20, "ephemeral": 0],
                "status": "active", "state": "active", "image_ref": "c0ffee00-0000-4000-8000-000000000001", "cpu_number": 2,
            ]
            var disk = metadata
            disk["disk_name"] = "vda"
            var nic = metadata
            nic["vnic_name"] = .string("tap\(index)")
            return Instance(id: id, metadata: metadata, disk: disk, nic: nic)
        }
    }

    /// The batches of `rounds`, per sender (instance `i` belongs to sender `i % senders`), as the
    /// notification agent's listener hands them to the pipeline: each batch is written as the
    /// polling agent's request body (a JSON array of meter messages) and read back by `decoder`.
    static func makeBatches(
        fleet: [Instance], rounds: Range<Int>, batchSize: Int, senders: Int, decoder: SampleBatchDecoder
    ) throws -> [[[Sample]]] {
        try makeSamples(fleet: fleet, rounds: rounds, batchSize: batchSize, senders: senders).map { batches in
            try batches.map { batch in
                let body = "[" + batch.map(\.jsonLine).joined(separator: ",") + "]"
                let decoded = try decoder.decode(bytes: Array(body.utf8))
                guard decoded.samples.count == batch.count else {
                    throw TransportBenchmarkError("decoded \(decoded.samples.count) of \(batch.count) samples")
                }
                return decoded.samples
            }
        }
    }

    /// The samples of `rounds` in batches, per sender, as a polling agent makes them.
    static func makeSamples(fleet: [Instance], rounds: Range<Int>, batchSize: Int, senders: Int) -> [[[Sample]]] {
        var batches: [[[Sample]]] = Array(repeating: [], count: senders)
        var current: [[Sample]] = Array(repeating: [], count: senders)
        let base = 1_764_064_800  // 2025-11-25T10:00:00Z
        for round in rounds {
            let seconds = base + round * 10
            let timestamp = Timestamps.format(Int64(seconds) * 1_000_000_000).replacingOccurrences(of: "+00:00", with: "")
            let monotonic = Double(round * 10)
            for (index, instance) in fleet.enumerated() {
                let counter = Int64(round) * 10_000_000_000 + Int64(index)
                let samples = [
                    Sample(name: "cpu", type: .cumulative, unit: "ns", volume: .int(counter), userID: "u", projectID: "p", resourceID: instance.id,
                           timestamp: timestamp, resourceMetadata: instance.metadata, monotonicTime: monotonic),
                    Sample(name: "memory.usage", type: .gauge, unit: "MB", volume: .double(Double(512 + round % 100)), userID: "u", projectID: "p",
                           resourceID: instance.id, timestamp: timestamp, resourceMetadata: instance.metadata, monotonicTime: monotonic),
                    Sample(name: "vcpus", type: .gauge, unit: "vcpu", volume: 2, userID: "u", projectID: "p", resourceID: instance.id,
                           timestamp: timestamp, resourceMetadata: instance.metadata, monotonicTime: monotonic),
                    Sample(name: "disk.device.read.bytes", type: .cumulative, unit: "B", volume: .int(counter * 3), userID: "u", projectID: "p",
                           resourceID: instance.id + "-vda", timestamp: timestamp, resourceMetadata: instance.disk, monotonicTime: monotonic),
                    Sample(name: "disk.device.write.bytes", type: .cumulative, unit: "B", volume: .int(counter * 2), userID: "u", projectID: "p",
                           resourceID: instance.id + "-vda", timestamp: timestamp, resourceMetadata: instance.disk, monotonicTime: monotonic),
                    Sample(name: "network.incoming.bytes", type: .cumulative, unit: "B", volume: .int(counter), userID: "u", projectID: "p",
                           resourceID: "instance-\(index)-\(instance.id)-tap\(index)", timestamp: timestamp, resourceMetadata: instance.nic,
                           monotonicTime: monotonic),
                    Sample(name: "network.outgoing.bytes", type: .cumulative, unit: "B", volume: .int(counter / 2), userID: "u", projectID: "p",
                           resourceID: "instance-\(index)-\(instance.id)-tap\(index)", timestamp: timestamp, resourceMetadata: instance.nic,
                           monotonicTime: monotonic),
                ]
                let sender = index % senders
                for sample in samples {
                    current[sender].append(sample)
                    if current[sender].count == batchSize {
                        batches[sender].append(current[sender])
                        current[sender].removeAll(keepingCapacity: true)
                    }
                }
            }
        }
        for sender in 0..<senders where !current[sender].isEmpty { batches[sender].append(current[sender]) }
        return batches
    }
}
