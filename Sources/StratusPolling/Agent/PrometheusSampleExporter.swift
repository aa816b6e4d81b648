import StratusCore
import Synchronization

/// Ceilometer's Prometheus exporter (`[polling] enable_prometheus_exporter`,
/// `ceilometer/polling/prom_exporter.py`): the latest value of every polled sample as a gauge,
/// scraped from `prometheus_listen_addresses`.
///
/// Names and labels as Ceilometer writes them: the metric is `ceilometer_` + the meter name with
/// `.` → `_`; the labels are, in order, `<first part of the meter name>` (= the third part of the
/// name when there is one, else the resource id), `publisher="ceilometer"`, `type` (the second part
/// of the name, else the first), `counter`, then `project`, `project_name`, `user`, `user_name`,
/// `unit`, `resource` when set, and from the resource metadata `vm_instance` (its `host`),
/// `resource_name` (`display_name[:name]` or `name`) and `server_group` (`user_metadata.server_group`,
/// else `none`).
///
/// Ceilometer drops the series of one metric at each batch to purge stale ones; here a series is
/// dropped when it has not been updated for ``staleAfter`` seconds (three polling intervals of the
/// slowest source by default), so that a scrape never sees half a cycle.
public final class PrometheusSampleExporter: Sendable {
    struct Series: Sendable {
        var labels: [(String, String)]
        var value: Double
        var updated: Double
    }

    private struct State: Sendable {
        /// Series by metric name, then by their label text.
        var metrics: [String: [String: Series]] = [:]
    }

    private let state = Mutex(State())
    private let staleness: Mutex<Double>
    private let clock: @Sendable () -> Double

    /// Seconds without an update after which a series disappears.
    public var staleAfter: Double {
        get { staleness.withLock { $0 } }
        set { staleness.withLock { $0 = newValue } }
    }

    /// Creates an empty exporter.
    public init(staleAfter: Double, clock: @escaping @Sendable () -> Double) {
        staleness = Mutex(staleAfter)
        self.clock = clock
    }

    /// Records the samples of a published batch.
    public func collect(_ messages: [MeterMessage]) {
        let now = clock()
        var updates: [(String, String, Series)] = []
        updates.reserveCapacity(messages.count)
        for message in messages {
            guard let meter = message.counterName, !meter.isEmpty,
                  let value = message.fields["counter_volume"]?.doubleValue else { continue }
            let labels = Self.labels(meter: meter, fields: message.fields)
            updates.append((Self.metricName(meter), Self.labelText(labels), Series(labels: labels, value: value, updated: now)))
        }
        state.withLock { state in
            for (name, key, series) in updates { state.metrics[name, default: [:]][key] = series }
        }
    }

    /// The Prometheus text exposition of the current series.
    public func render() -> String {
        let now = clock()
        let staleAfter = self.staleAfter
        let metrics = state.withLock { state -> [String: [String: Series]] in
            for name in Array(state.metrics.keys) {
                state.metrics[name] = state.metrics[name]!.filter { now - $0.value.updated <= staleAfter }
                if state.metrics[name]!.isEmpty { state.metrics[name] = nil }
            }
            return state.metrics
        }
        var out = ""
        for name in metrics.keys.sorted() {
            out += "# HELP \(name) \n# TYPE \(name) gauge\n"
            for (key, series) in metrics[name]!.sorted(by: { $0.key < $1.key }) {
                out += "\(name){\(key)} \(Self.number(series.value))\n"
            }
        }
        return out
    }

    static func metricName(_ meter: String) -> String {
        "ceilometer_" + String(meter.map { $0 == "." ? "_" : $0 })
    }

    static func labels(meter: String, fields: [String: TelemetryValue]) -> [(String, String)] {
        let shards = meter.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let resource = fields["resource_id"]?.stringValue ?? ""
        var labels: [(String, String)] = [
            (shards[0], shards.count > 2 ? shards[2] : resource),
            ("publisher", "ceilometer"),
            ("type", shards.count > 1 ? shards[1] : shards[0]),
            ("counter", meter),
        ]
        for (field, label) in [("project_id", "project"), ("project_name", "project_name"), ("user_id", "user"),
                               ("user_name", "user_name"), ("counter_unit", "unit"), ("resource_id", "resource")] {
            if let text = fields[field]?.stringValue, !text.isEmpty { labels.append((label, text)) }
        }
        if case .dictionary(let metadata)? = fields["resource_metadata"], !metadata.isEmpty {
            if let host = metadata["host"]?.stringValue, !host.isEmpty { labels.append(("vm_instance", host)) }
            let displayName = metadata["display_name"]?.stringValue ?? ""
            let name = metadata["name"]?.stringValue ?? ""
            if !displayName.isEmpty {
                labels.append(("resource_name", name.isEmpty ? displayName : displayName + ":" + name))
            } else if !name.isEmpty {
                labels.append(("resource_name", name))
            }
            var group = "none"
            if case .dictionary(let user)? = metadata["user_metadata"], let value = user["server_group"]?.stringValue, !value.isEmpty {
                group = value
            }
            labels.append(("server_group", group))
        }
        return labels
    }

    static func labelText(_ labels: [(String, String)]) -> String {
        labels.map { name, value in "\(sanitized(name))=\"\(PrometheusText.labelValue(value))\"" }.joined(separator: ",")
    }

    /// A label name Prometheus accepts: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func sanitized(_ name: String) -> String {
        var out = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        if out.first?.isNumber ?? true { out = "_" + out }
        return out
    }

    /// Numbers as Prometheus' Python client writes them (`1.0`, `2.5e+06` → Swift's shortest form is accepted too).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return "\(value)"
    }
}

/// A publisher that records each batch in a ``PrometheusSampleExporter``, then hands it on.
public struct PrometheusExportingPublisher: SamplePublisher {
    let exporter: PrometheusSampleExporter
    let next: any SamplePublisher

    /// Records into `exporter`, then publishes through `next`.
    public init(exporter: PrometheusSampleExporter, next: any SamplePublisher) {
        self.exporter = exporter
        self.next = next
    }

    public func publish(_ messages: [MeterMessage]) async throws {
        exporter.collect(messages)
        try await next.publish(messages)
    }
}
