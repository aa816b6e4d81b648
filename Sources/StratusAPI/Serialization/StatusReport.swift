import Carbonara
import Foundation
import StratusStorage

/// The body of `GET /v1/status`, as Gnocchi 4.7.1's `StatusController` builds it.
struct StatusReport: Sendable {
    /// Measures waiting in incoming.
    var backlog: Backlog
    /// Whether `storage.measures_to_process` (per metric) is included.
    var details: Bool
    /// The metricd processors of this process and their counters; nil when no metricd runs in it, which
    /// Gnocchi answers as `"processors": null, "statistics": {}` (coordinators without group membership).
    var processors: [(member: String, totals: ProcessingReport)]?

    /// `{"storage": {"summary": {"metrics", "measures"}[, "measures_to_process": {id: n}]},
    ///   "metricd": {"processors": [...] | null, "statistics": {member: {...}}}}`.
    var json: JSONValue {
        var storage: [String: JSONValue] = [
            "summary": [
                "metrics": .integer(Int64(backlog.metrics)),
                "measures": .integer(Int64(backlog.measures)),
            ],
        ]
        if details {
            var perMetric: [String: JSONValue] = [:]
            for (id, count) in backlog.perMetric {
                perMetric[id.uuidString.lowercased()] = .integer(Int64(count))
            }
            storage["measures_to_process"] = .object(perMetric)
        }
        var metricd: [String: JSONValue] = ["processors": .null, "statistics": [:]]
        if let processors {
            metricd["processors"] = .array(processors.map { .string($0.member) })
            var statistics: [String: JSONValue] = [:]
            for processor in processors {
                statistics[processor.member] = Self.statistics(processor.totals)
            }
            metricd["statistics"] = .object(statistics)
        }
        return ["storage": .object(storage), "metricd": .object(metricd)]
    }

    /// A processor's counters under Gnocchi's storage statistics names (`raw measures fetch` counts metrics
    /// fetched, `processed measures` measures aggregated), plus Stratus' own drop counters.
    static func statistics(_ totals: ProcessingReport) -> JSONValue {
        [
            "raw measures fetch": .integer(Int64(totals.metrics)),
            "processed measures": .integer(Int64(totals.measures)),
            "dropped measures": .integer(Int64(totals.dropped)),
            "discarded measures": .integer(Int64(totals.discarded)),
        ]
    }
}
