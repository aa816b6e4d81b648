import Carbonara
import Foundation

/// `stratus-bench carbonara`: aggregation throughput of the pure engine on one core.
///
/// 1. N raw points (a 2-decimal random walk, 10 s apart) grouped once into 60 s buckets, then the six
///    default methods applied to the grouped series; best of `--runs`; raw points per second.
/// 2. The whole `MetricProcessor.process` path (sort check, merge, bound series, both granularities of
///    the `medium` policy, truncation) over `--process-points` new points in one batch.
enum CarbonaraBenchmark {
    static let methods: [(String, AggregationMethod.Function)] = [
        ("mean", .mean), ("min", .min), ("max", .max), ("sum", .sum), ("std", .std), ("count", .count),
    ]

    static func run(_ options: Options) throws {
        let points = try options.int("points", default: 10_000_000)
        let runs = try options.int("runs", default: 5)
        let processPoints = try options.int("process-points", default: 1_000_000)
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
    }
}
