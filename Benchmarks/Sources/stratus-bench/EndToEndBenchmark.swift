import Carbonara
import Foundation
import Logging
import StratusCore
import StratusIndex
import StratusStorage

/// `stratus-bench e2e`: ingest, metricd drain and disk usage without HTTP, on the real drivers wired as the
/// `stratus` binary wires them (`TimeSeriesCore.upgrade` then `TimeSeriesCore.open`, embedded defaults:
/// SQLite index, file incoming, file storage) in a fresh data directory.
enum EndToEndBenchmark {
    static func run(_ options: Options) async throws {
        let metricCount = try options.int("metrics", default: 1_000)
        let measuresPerMetric = try options.int("measures", default: 1_000)
        let sacks = try options.int("sacks", default: 128)
        let workers = try options.int("workers", default: 2)
        let writers = try options.int("writers", default: 8)
        let keep = options.string("keep") == "true"
        let breakdown = options.string("breakdown") != "false"
        // With `perf record -D -1 --control fifo:CTL,ACK`: profile only the phase named by --profile.
        let perf = PerfControl(control: options.string("perf-control"), ack: options.string("perf-ack"))
        let profiled = options.string("profile") ?? "metricd"
        let base = options.string("dir") ?? NSTemporaryDirectory()
        let dataDirectory = (base as NSString).appendingPathComponent("stratus-bench-\(UUID().uuidString.lowercased())")
        let total = metricCount * measuresPerMetric

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var logger = Logger(label: "stratus-bench")
        logger.logLevel = .warning

        print("## e2e: \(metricCount) metrics (policy medium) × \(measuresPerMetric) measures = \(total), "
              + "\(sacks) sacks, \(writers) writers, metricd workers \(workers)")
        print("data directory: \(dataDirectory)")

        let configuration = try ConfigurationFile.load(
            path: nil, environment: [:], overrides: ["metricd.workers=\(workers)"])
        try await TimeSeriesCore.upgrade(
            configuration: configuration, dataDirectory: dataDirectory, sacks: sacks, createDefaults: true, logger: logger)
        let core = try await TimeSeriesCore.open(configuration: configuration, dataDirectory: dataDirectory, logger: logger)
        defer {
            if !keep { try? FileManager.default.removeItem(atPath: dataDirectory) }
        }
        guard core.incoming.sackCount == sacks else {
            throw BenchError("incoming has \(core.incoming.sackCount) sacks, asked for \(sacks)")
        }

        // Metrics.
        var rng = SplitMix64(seed: 2024)
        let ids = (0..<metricCount).map { _ in UUID(uuid: uuidBytes(&rng)) }
        let createTime = try await Timing.seconds {
            for id in ids {
                try await core.indexer.createMetric(Metric(id: id, archivePolicyName: "medium", creator: "bench:bench"))
            }
        }
        print("created \(metricCount) metrics in \(Format.millis(createTime)) (\(Format.rate(Double(metricCount) / createTime)))")

        // Measures, generated before timing: a 2-decimal walk, 10 s apart, per metric.
        let timestamps = Workload.regularTimestamps(measuresPerMetric)
        let batches: [(UUID, PendingMeasures)] = ids.enumerated().map { index, id in
            (id, PendingMeasures(timestamps: timestamps, values: Workload.roundedWalk(measuresPerMetric, seed: UInt64(index) + 1)))
        }

        // Ingest: `writers` concurrent writers, each posting one metric's measures per call.
        let incoming = core.incoming
        if profiled == "ingest" { perf.enable() }
        let ingestCPU = processCPUSeconds()
        let ingestTime = try await Timing.seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var index = writer
                        while index < batches.count {
                            let (id, measures) = batches[index]
                            try await incoming.add([id: measures])
                            index += writers
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let ingestCPUUsed = processCPUSeconds() - ingestCPU
        if profiled == "ingest" { perf.disable() }
        let backlog = try await core.incoming.backlog()
        guard backlog.measures == total, backlog.metrics == metricCount else {
            throw BenchError("backlog after ingest: \(backlog.metrics) metrics, \(backlog.measures) measures; expected \(metricCount), \(total)")
        }
        let incomingBytes = try DiskUsage.bytes(under: dataDirectory + "/incoming")
        print("ingest: \(total) measures in \(Format.millis(ingestTime)) = \(Format.rate(Double(total) / ingestTime)) "
              + "(\(Format.rate(Double(metricCount) / ingestTime)) calls, CPU \(Format.fixed(ingestCPUUsed / ingestTime)) cores busy); incoming on disk \(Format.bytes(incomingBytes))")

        // Drain with metricd until the backlog is empty.
        let metricd = Metricd(processor: core.processor, configuration: core.metricd)
        var processed = (metrics: 0, measures: 0, dropped: 0, discarded: 0)
        var rounds = 0
        var drainOnly = 0.0
        if profiled == "metricd" { perf.enable() }
        let drainCPU = processCPUSeconds()
        let drainTime = try await Timing.seconds {
            while true {
                var round: ProcessingReport?
                drainOnly += try await Timing.seconds { round = try await metricd.drain() }
                rounds += 1
                processed.metrics += round!.metrics
                processed.measures += round!.measures
                processed.dropped += round!.dropped
                processed.discarded += round!.discarded
                if try await core.incoming.backlog().measures == 0 { break }
                guard rounds < 1000 else { throw BenchError("the backlog does not drain") }
            }
        }
        let drainCPUUsed = processCPUSeconds() - drainCPU
        if profiled == "metricd" { perf.disable() }
        guard processed.measures == total, processed.discarded == 0, processed.dropped == 0 else {
            throw BenchError("metricd processed \(processed.measures) measures (\(processed.dropped) dropped, \(processed.discarded) discarded); expected \(total)")
        }
        print("metricd (workers \(core.metricd.workers)): \(processed.measures) measures of \(processed.metrics) metrics in \(rounds) round(s), "
              + "\(Format.millis(drainTime)) = \(Format.rate(Double(total) / drainTime)) "
              + "(drain() alone \(Format.millis(drainOnly)) = \(Format.rate(Double(total) / drainOnly)); CPU \(Format.fixed(drainCPUUsed / drainTime)) cores busy)")

        // Check that something real was stored: one metric's aggregates read back.
        let probe = ids[0]
        guard let stored = try await core.storage.read(metric: probe, sack: core.incoming.sack(of: probe)) else {
            throw BenchError("metric \(probe) has no stored data after metricd")
        }
        let minuteMean = AggregateKey(method: AggregationMethod(.mean), granularity: 60 * Workload.second)
        let means = stored.read(minuteMean, timespan: nil, metric: probe.uuidString.lowercased(), logger: logger)
        let expectedBuckets = Int((Int64(measuresPerMetric - 1) * 10 * Workload.second + Workload.start % (60 * Workload.second)) / (60 * Workload.second)) + 1
        // 6 methods × 2 granularities, minus `mean`, which storage derives from sum / count.
        guard stored.splits.count == 10, means.count == expectedBuckets else {
            throw BenchError("metric \(probe): \(stored.splits.count) aggregates, \(means.count) mean@60s points (expected 10, \(expectedBuckets))")
        }

        // Disk usage, as du counts it.
        let all = try DiskUsage.bytes(under: dataDirectory)
        let storage = try DiskUsage.bytes(under: dataDirectory + "/storage")
        let incomingAfter = try DiskUsage.bytes(under: dataDirectory + "/incoming")
        let index = all - storage - incomingAfter
        let apparent = try apparentBytes(under: dataDirectory + "/storage")
        print("disk: total \(Format.bytes(all)) = \(Format.fixed(Double(all) / Double(total))) B/measure; "
              + "storage \(Format.bytes(storage)) = \(Format.fixed(Double(storage) / Double(total))) B/measure "
              + "(file contents \(Format.bytes(apparent)) = \(Format.fixed(Double(apparent) / Double(total))) B/measure); "
              + "incoming \(Format.bytes(incomingAfter)); index and the rest \(Format.bytes(index))")
        if breakdown {
            try await printBreakdown(ids: ids, core: core, apparent: apparent, total: total, logger: logger)
        }
        print("RESULT e2e sacks=\(sacks) workers=\(workers) ingest_per_s=\(Int(Double(total) / ingestTime)) "
              + "metricd_per_s=\(Int(Double(total) / drainTime)) disk_bytes_per_measure=\(Format.fixed(Double(all) / Double(total))) "
              + "storage_bytes_per_measure=\(Format.fixed(Double(storage) / Double(total)))")
        try await core.indexer.close()
        let closed = try DiskUsage.bytes(under: dataDirectory)
        let wal = try DiskUsage.bytes(under: dataDirectory + "/index.sqlite-wal")
        print("disk after closing the index: total \(Format.bytes(closed)) = "
              + "\(Format.fixed(Double(closed) / Double(total))) B/measure, of which SQLite WAL \(Format.bytes(wal))")
        if keep { print("kept \(dataDirectory)") }
    }

    /// Prints what the storage file contents are made of (raw series, each aggregate, framing), over every metric.
    private static func printBreakdown(ids: [UUID], core: TimeSeriesCore, apparent: Int, total: Int, logger: Logger) async throws {
        var rawBytes = 0, blobBytes = 0
        var aggregateBytes = [AggregateKey: Int]()
        var aggregatePoints = [AggregateKey: Int]()
        for id in ids {
            guard let metric = try await core.storage.read(metric: id, sack: core.incoming.sack(of: id)) else { continue }
            rawBytes += metric.raw?.count ?? 0
            for (key, splits) in metric.splits {
                aggregateBytes[key, default: 0] += splits.values.reduce(0) { $0 + $1.count }
                aggregatePoints[key, default: 0] += metric.read(key, timespan: nil, metric: "", logger: logger).count
            }
        }
        blobBytes = apparent - rawBytes - aggregateBytes.values.reduce(0, +)
        print("")
        print("storage file contents by part, all metrics (\(Format.bytes(apparent))):")
        print("")
        print(Format.row(["part", "bytes", "per raw measure", "points", "bytes per point"]))
        print(Format.row(["---", "---", "---", "---", "---"]))
        print(Format.row(["raw series (bound to the current 1 h block)", Format.bytes(rawBytes),
                          Format.fixed(Double(rawBytes) / Double(total), 3), "", ""]))
        for key in aggregateBytes.keys.sorted() {
            let bytes = aggregateBytes[key]!, points = aggregatePoints[key]!
            print(Format.row(["\(key.method.name) @ \(key.granularity / Workload.second) s", Format.bytes(bytes),
                              Format.fixed(Double(bytes) / Double(total), 3), "\(points)",
                              Format.fixed(Double(bytes) / Double(max(points, 1)), 2)]))
        }
        print(Format.row(["pack, blob and split framing (ids, keys, lengths, CRCs)", Format.bytes(blobBytes),
                          Format.fixed(Double(blobBytes) / Double(total), 3), "", ""]))
        print("")
    }

    /// Random version-4 UUID bytes from the seeded generator.
    private static func uuidBytes(_ rng: inout SplitMix64) -> uuid_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])
    }

    /// Sum of the sizes of the regular files under `path` (what `du --apparent-size` counts for files).
    private static func apparentBytes(under path: String) throws -> Int {
        var total = 0
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
        while let name = enumerator.nextObject() as? String {
            var info = stat()
            if lstat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { total += Int(info.st_size) }
        }
        return total
    }
}
