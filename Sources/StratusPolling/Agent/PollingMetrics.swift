import Synchronization

/// The agent's own metrics, rendered as Prometheus text on `/metrics`: samples produced per
/// meter, poll durations per meter, errors per meter and kind, cycles per interval.
public final class PollingMetrics: Sendable {
    private struct State {
        var samples: [String: Int] = [:]
        var errors: [ErrorKey: Int] = [:]
        var durationSum: [String: Double] = [:]
        var durationCount: [String: Int] = [:]
        var durationBuckets: [String: [Int]] = [:]
        var cycles: [Int: Int] = [:]
        var published: Int = 0
        var publishErrors: Int = 0
        var reloads: Int = 0
        var reloadErrors: Int = 0
    }

    private struct ErrorKey: Hashable {
        var meter: String
        var kind: String
    }

    /// Upper bounds (seconds) of the poll duration histogram.
    public static let durationBounds: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]

    private let state = Mutex(State())

    /// What the `notifier://` publisher did (delivered, spooled, replayed, dropped).
    public let notifier = NotifierStatistics()

    /// Creates empty metrics.
    public init() {}

    /// Counts samples a pollster produced.
    public func recordSamples(meter: String, count: Int) {
        state.withLock { $0.samples[meter, default: 0] += count }
    }

    /// Records how long one pollster run took.
    public func recordPoll(meter: String, seconds: Double) {
        state.withLock { state in
            state.durationSum[meter, default: 0] += seconds
            state.durationCount[meter, default: 0] += 1
            var buckets = state.durationBuckets[meter] ?? Array(repeating: 0, count: Self.durationBounds.count)
            for (index, bound) in Self.durationBounds.enumerated() where seconds <= bound { buckets[index] += 1 }
            state.durationBuckets[meter] = buckets
        }
    }

    /// Counts a failure: `kind` is `pollster`, `permanent`, `discovery` or `publish`.
    public func recordError(meter: String, kind: String) {
        state.withLock { $0.errors[ErrorKey(meter: meter, kind: kind), default: 0] += 1 }
    }

    /// Counts a finished cycle of the task of `interval` seconds.
    public func recordCycle(interval: Int) {
        state.withLock { $0.cycles[interval, default: 0] += 1 }
    }

    /// Counts published messages, or a failed batch.
    public func recordPublished(messages: Int, failed: Bool) {
        state.withLock { state in
            if failed { state.publishErrors += 1 } else { state.published += messages }
        }
    }

    /// Counts a reload of the polling definitions, or a rejected one.
    public func recordReload(failed: Bool) {
        state.withLock { state in
            if failed { state.reloadErrors += 1 } else { state.reloads += 1 }
        }
    }

    /// Samples produced so far for `meter`.
    public func samples(meter: String) -> Int { state.withLock { $0.samples[meter] ?? 0 } }

    /// Errors so far for `meter` of `kind`.
    public func errors(meter: String, kind: String) -> Int {
        state.withLock { $0.errors[ErrorKey(meter: meter, kind: kind)] ?? 0 }
    }

    /// Finished cycles of the task of `interval` seconds.
    public func cycles(interval: Int) -> Int { state.withLock { $0.cycles[interval] ?? 0 } }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let state = state.withLock { $0 }
        var out = ""
        out += "# HELP stratus_polling_samples_total Samples produced by pollsters.\n"
        out += "# TYPE stratus_polling_samples_total counter\n"
        for meter in state.samples.keys.sorted() {
            out += "stratus_polling_samples_total{meter=\"\(escape(meter))\"} \(state.samples[meter]!)\n"
        }
        out += "# HELP stratus_polling_poll_duration_seconds Duration of one pollster run.\n"
        out += "# TYPE stratus_polling_poll_duration_seconds histogram\n"
        for meter in state.durationCount.keys.sorted() {
            let label = escape(meter)
            let buckets = state.durationBuckets[meter] ?? []
            for (index, bound) in Self.durationBounds.enumerated() {
                out += "stratus_polling_poll_duration_seconds_bucket{meter=\"\(label)\",le=\"\(bound)\"} \(buckets[index])\n"
            }
            let count = state.durationCount[meter]!
            out += "stratus_polling_poll_duration_seconds_bucket{meter=\"\(label)\",le=\"+Inf\"} \(count)\n"
            out += "stratus_polling_poll_duration_seconds_sum{meter=\"\(label)\"} \(state.durationSum[meter]!)\n"
            out += "stratus_polling_poll_duration_seconds_count{meter=\"\(label)\"} \(count)\n"
        }
        out += "# HELP stratus_polling_errors_total Failed pollster runs, discoveries and publications.\n"
        out += "# TYPE stratus_polling_errors_total counter\n"
        for key in state.errors.keys.sorted(by: { ($0.meter, $0.kind) < ($1.meter, $1.kind) }) {
            out += "stratus_polling_errors_total{meter=\"\(escape(key.meter))\",kind=\"\(key.kind)\"} \(state.errors[key]!)\n"
        }
        out += "# HELP stratus_polling_cycles_total Finished polling cycles per task interval.\n"
        out += "# TYPE stratus_polling_cycles_total counter\n"
        for interval in state.cycles.keys.sorted() {
            out += "stratus_polling_cycles_total{interval=\"\(interval)\"} \(state.cycles[interval]!)\n"
        }
        out += "# HELP stratus_polling_published_messages_total Meter messages handed to the publishers.\n"
        out += "# TYPE stratus_polling_published_messages_total counter\n"
        out += "stratus_polling_published_messages_total \(state.published)\n"
        out += "# HELP stratus_polling_publish_errors_total Batches the publishers failed to deliver.\n"
        out += "# TYPE stratus_polling_publish_errors_total counter\n"
        out += "stratus_polling_publish_errors_total \(state.publishErrors)\n"
        out += "# HELP stratus_polling_reloads_total Polling definitions reloads, by result.\n"
        out += "# TYPE stratus_polling_reloads_total counter\n"
        out += "stratus_polling_reloads_total{result=\"ok\"} \(state.reloads)\n"
        out += "stratus_polling_reloads_total{result=\"rejected\"} \(state.reloadErrors)\n"
        out += notifier.render()
        return out
    }

    private func escape(_ text: String) -> String { PrometheusText.labelValue(text) }
}
