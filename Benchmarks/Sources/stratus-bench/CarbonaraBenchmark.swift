import Carbonara
import Foundation
import StratusStorage

/// `stratus-bench carbonara`: aggregation throughput of the pure engine on one core.
///
/// 1. N raw points (a 2-decimal random walk, 10 s apart) grouped once into 60 s buckets, then the six
///    default methods applied to the grouped series; best of `--runs`; raw points per second.
/// 2. The whole `MetricProcessor.process` path (sort check, merge, bound series, both granularities of
///    the `medium` policy, truncation) over `--process-points` new points in one batch.
/// 3. The CPU part of metricd without I/O, per metric as `SackProcessor.processLocked` does it
///    (process, split bookkeeping, split and raw encoding) for `--metricd-metrics` new metrics of 1,000
///    measures, once as the processor calls `MetricSplits.apply` today (once per aggregate) and once with a
///    single `apply` per metric, to size what the per-aggregate loop costs.
enum CarbonaraBenchmark {
    static let methods: [(String, AggregationMethod.Function)] = [
        ("mean", .mean), ("min", .min), ("max", .max), ("sum", .sum), ("std", .std), ("count", .count),
    ]

    static func run(_ options: Options) throws {
        let points = try options.int("points", default: 10_000_000)
        let runs = try options.int("runs", default: 5)
        let processPoints = try options.int("process-points", default: 1_000_000)
        let metricdMetrics = try options.int("metricd-metrics", default: 1_000)
        let granularity = 60 * Workload.second

        print("## carbonara: \(points) raw points, 10 s apart, one 60 s granularity, \(runs) runs")
        let series = TimeSeries(
            timestamps: Workload.regularTimestamps(points), values: Workload.roundedWalk(points, seed: 42))

        var totals = [Double]()
        var groupTimes = [Double]()
        var methodTimes = [String: [Double]]()
        for _ in 0..<runs {
            var maybeGrouped: GroupedSeries?
            let groupTime = Timing.seconds { maybeGrouped = GroupedSeries.group(series, granularity: granularity, start: nil) }
            let grouped = maybeGrouped!
            var total = groupTime
            for (name, function) in methods {
                var result = TimeSeries()
                let t = Timing.seconds { result = grouped.aggregate(function) }
                consume(result.count)
                consume(result.values.last ?? 0)
                methodTimes[name, default: []].append(t)
                total += t
            }
            consume(grouped.count)
            groupTimes.append(groupTime)
            totals.append(total)
        }
        let total = RunTimes(times: totals)
        print("")
        print(Format.row(["step", "best", "median", "raw points/s (best)"]))
        print(Format.row(["---", "---", "---", "---"]))
        let group = RunTimes(times: groupTimes)
        print(Format.row(["group (60 s)", Format.millis(group.best), Format.millis(group.median),
                          Format.rate(Double(points) / group.best)]))
        for (name, _) in methods {
            let t = RunTimes(times: methodTimes[name]!)
            print(Format.row(["aggregate \(name)", Format.millis(t.best), Format.millis(t.median),
                              Format.rate(Double(points) / t.best)]))
        }
        print(Format.row(["**group + 6 methods**", Format.millis(total.best), Format.millis(total.median),
                          "**" + Format.rate(Double(points) / total.best) + "**"]))
        print("")
        print("RESULT carbonara.aggregate_points_per_s best=\(Int(Double(points) / total.best)) median=\(Int(Double(points) / total.median)) target>=20000000")

        // Whole MetricProcessor path, medium policy, one batch of new points on an empty metric.
        guard let medium = ArchivePolicy.defaultPolicies.first(where: { $0.name == "medium" }) else {
            throw BenchError("no 'medium' among ArchivePolicy.defaultPolicies")
        }
        let measures = Measures(
            timestamps: Array(series.timestamps.prefix(processPoints)), values: Array(series.values.prefix(processPoints)))
        print("")
        print("## MetricProcessor.process: policy medium (60 s × 7 d, 1 h × 365 d, 6 methods), \(measures.count) points in one batch, \(runs) runs")
        var updates = 0
        let processTimes = RunTimes(times: Timing.runs(runs) {
            let processed = MetricProcessor.process(policy: medium, raw: nil, measures: measures)
            updates = processed.updates.values.reduce(0) { $0 + $1.count }
            consume(processed.raw.series.count)
            consume(updates)
        })
        print("aggregated points produced: \(updates) (12 aggregates)")
        print("best \(Format.millis(processTimes.best)), median \(Format.millis(processTimes.median)): "
              + "\(Format.rate(Double(measures.count) / processTimes.best)) raw points (best), "
              + "\(Format.rate(Double(measures.count) / processTimes.median)) (median)")
        print("RESULT carbonara.process_medium_points_per_s best=\(Int(Double(measures.count) / processTimes.best)) median=\(Int(Double(measures.count) / processTimes.median))")

        try metricdCPU(policy: medium, metrics: metricdMetrics, runs: min(runs, 3))
    }

    /// Part 3: metricd's per-metric CPU work without any I/O.
    static func metricdCPU(policy: ArchivePolicy, metrics: Int, runs: Int) throws {
        let perMetric = 1_000
        let timestamps = Workload.regularTimestamps(perMetric)
        let batches = (0..<metrics).map {
            Measures(timestamps: timestamps, values: Workload.roundedWalk(perMetric, seed: UInt64($0) + 1))
        }
        let total = Double(metrics * perMetric)
        print("")
        print("## metricd CPU path without I/O: \(metrics) new metrics × \(perMetric) measures, policy medium, one core, \(runs) runs")

        func encodeChanged(_ splits: MetricSplits, _ key: AggregateKey, _ changed: Set<Int64>) -> Int {
            var bytes = 0
            for splitKey in changed {
                if let series = splits.splits[key]?[splitKey], !series.isEmpty {
                    bytes += StoredMetric.encodeSplit(series, key: splitKey, granularity: key.granularity).count
                }
            }
            return bytes
        }

        var processOnly = [Double](), perKey = [Double](), single = [Double]()
        for _ in 0..<runs {
            processOnly.append(Timing.seconds {
                for measures in batches {
                    consume(MetricProcessor.process(policy: policy, raw: nil, measures: measures).accepted)
                }
            })
            // As SackProcessor.processLocked: one MetricSplits per aggregate, each apply() walking every update.
            perKey.append(Timing.seconds {
                for measures in batches {
                    let processed = MetricProcessor.process(policy: policy, raw: nil, measures: measures)
                    var bytes = 0
                    for key in processed.updates.keys {
                        var splits = MetricSplits(splits: [key: [:]])
                        let changed = splits.apply(processed)[key] ?? []
                        bytes += encodeChanged(splits, key, changed)
                    }
                    let raw = processed.raw.series
                    bytes += SeriesCodec.encode(timestamps: raw.timestamps, values: raw.values).count
                    consume(bytes)
                }
            })
            // The same result with one apply() per metric.
            single.append(Timing.seconds {
                for measures in batches {
                    let processed = MetricProcessor.process(policy: policy, raw: nil, measures: measures)
                    var splits = MetricSplits()
                    var bytes = 0
                    for (key, changed) in splits.apply(processed) { bytes += encodeChanged(splits, key, changed) }
                    let raw = processed.raw.series
                    bytes += SeriesCodec.encode(timestamps: raw.timestamps, values: raw.values).count
                    consume(bytes)
                }
            })
        }
        let p = RunTimes(times: processOnly), a = RunTimes(times: perKey), b = RunTimes(times: single)
        print("")
        print(Format.row(["path", "best", "median", "measures/s (best)"]))
        print(Format.row(["---", "---", "---", "---"]))
        print(Format.row(["MetricProcessor.process only", Format.millis(p.best), Format.millis(p.median), Format.rate(total / p.best)]))
        print(Format.row(["+ apply per aggregate (as SackProcessor) + encode", Format.millis(a.best), Format.millis(a.median), Format.rate(total / a.best)]))
        print(Format.row(["+ one apply per metric + encode", Format.millis(b.best), Format.millis(b.median), Format.rate(total / b.best)]))
        print("")
        print("RESULT carbonara.metricd_cpu_per_core process_only=\(Int(total / p.best)) apply_per_aggregate=\(Int(total / a.best)) single_apply=\(Int(total / b.best))")
    }
}
