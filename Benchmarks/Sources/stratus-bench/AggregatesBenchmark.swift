import Carbonara
import Foundation

/// `stratus-bench aggregates`: `/v1/aggregates` cross-series work in the pure Carbonara engine.
///
/// `--metrics` series of `--points` points at 60 s (default 100 × 1,440: one day at one minute), values a
/// 2-decimal random walk per metric. Timed, best and median of `--runs`:
/// 1. `(aggregate mean (metric (m0 mean) … ))` parsed from its S-expression and evaluated over series on the same
///    timestamps (the common case: every metric fed by one poller);
/// 2. the same when every metric misses 5 % of its points (union of timestamps, NaN grid, `dropna`);
/// 3. the same without fill and `needed_overlap=0` (the overlap scan and trimming);
/// 4. `(* (metric …) 2)` unaggregated: one answer series per metric.
enum AggregatesBenchmark {
    static func run(_ options: Options) throws {
        let metrics = try options.int("metrics", default: 100)
        let points = try options.int("points", default: 1_440)
        let runs = try options.int("runs", default: 20)
        let minute = 60 * Workload.second

        print("## aggregates: \(metrics) metrics × \(points) points at 60 s, \(runs) runs")
        let timestamps = Workload.regularTimestamps(points, interval: minute)
        var aligned = [TimeSeries]()
        var gappy = [TimeSeries]()
        var random = SplitMix64(seed: 7)
        for index in 0..<metrics {
            let values = Workload.roundedWalk(points, seed: UInt64(index + 1))
            aligned.append(TimeSeries(timestamps: timestamps, values: values))
            var ts = [Int64](), vs = [Double]()
            for (t, v) in zip(timestamps, values) where random.next() % 20 != 0 {
                ts.append(t)
                vs.append(v)
            }
            gappy.append(TimeSeries(timestamps: ts, values: vs))
        }
        let keys = (0..<metrics).map { MetricLookup("m\($0)", "mean") }
        let references = keys.map { "(\($0.name) mean)" }.joined(separator: " ")
        let meanText = "(aggregate mean (metric \(references)))"
        let scaleText = "(* (metric \(references)) 2)"

        func measure(_ label: String, _ text: String, _ series: [TimeSeries], _ options: CrossSeriesAggregator.Options) throws -> [String] {
            var outputPoints = 0
            let times = try Timing.runs(runs) {
                let operation = try AggregateOperation.parse(text)
                let result = try CrossSeriesAggregator.aggregate(
                    operation, lookupKeys: keys, samplings: [.init(granularity: minute, series: series)], options: options)
                outputPoints = result.blocks.reduce(0) { $0 + $1.columns.reduce(0) { $0 + $1.count } }
                consume(result.blocks.first?.columns.first?.values.last ?? 0)
            }
            let t = RunTimes(times: times)
            return [label, Format.millis(t.best), Format.millis(t.median), Format.rate(Double(metrics * points) / t.best), String(outputPoints)]
        }

        let rows = [
            try measure("mean, same timestamps", meanText, aligned, .init()),
            try measure("mean, 5 % gaps (dropna)", meanText, gappy, .init()),
            try measure("mean, 5 % gaps, no fill, needed_overlap=0", meanText, gappy, .init(fill: nil, neededOverlap: 0)),
            try measure("× 2 per metric (unaggregated)", scaleText, aligned, .init()),
        ]
        print("")
        print(Format.row(["operation", "best", "median", "input points/s (best)", "answer points"]))
        print(Format.row(["---", "---", "---", "---", "---"]))
        for row in rows { print(Format.row(row)) }
    }
}
