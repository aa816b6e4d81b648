import Carbonara
import Foundation
import StratusCore
import StratusIndex

/// `groupby` with `use_history=true` (Gnocchi's `Grouper`): every revision of the matching resources that
/// overlaps `[start, stop)` is grouped by the attribute values it had; each revision's metrics are aggregated
/// over the part of the window it was valid for, every point is pro-rated by the fraction of its bucket that
/// part covers, and the points of a group at one timestamp are summed.
///
/// Gnocchi 4.7.1 merges revisions of different resources that start at the same instant (`join_sequential_groups`)
/// and sums only consecutive points; Stratus aggregates every revision and sums every point of a timestamp,
/// which is what the pro-rating is for.
struct HistoryGrouper {
    let aggregates: ResourceAggregates
    let type: ResourceType
    let filter: SearchExpression?
    let groupby: [String]
    let lookups: [MetricLookup]
    let operation: AggregateOperation
    let arguments: AggregatesArguments
    let details: Bool

    func answer() async throws -> [UInt8] {
        let environment = aggregates.environment
        var query = filter
        if let start = arguments.start, let stop = arguments.stop {
            let period = SearchExpression.and([
                .comparison(.lessThan, attribute: "revision_start", value: .datetime(stop)),
                .or([
                    .comparison(.greaterThanOrEqual, attribute: "revision_end", value: .datetime(start)),
                    .equal("revision_end", .null),
                ]),
            ])
            query = query.map { .and([period, $0]) } ?? period
        }
        var revisions = try await environment.listResources(
            type: type.name,
            ResourceQuery(filter: query, sort: groupby.map { (key: $0, ascending: true) }, details: true, history: true,
                          creator: aggregates.identity.user))
        revisions.sort { ($0.originalResourceId, $0.revisionStart) < ($1.originalResourceId, $1.revisionStart) }

        // Each revision's window: the first revision of a resource from `start`, the others from when they began.
        var windows = [(revision: Resource, start: Int64?, stop: Int64?)]()
        var previous: String?
        for revision in revisions {
            let first = revision.originalResourceId != previous
            previous = revision.originalResourceId
            var start: Int64? = revision.revisionStart
            if first {
                start = arguments.start
            } else if let s = arguments.start {
                start = max(revision.revisionStart, s)
            }
            var stop = revision.revisionEnd
            if let e = arguments.stop { stop = stop.map { min($0, e) } ?? e }
            windows.append((revision, start, stop))
        }

        // Groups in order of their keys' text, as Gnocchi sorts them.
        var groups = [(key: [JSONValue], members: [Int])]()
        for (index, window) in windows.enumerated() {
            let key = aggregates.groupKey(window.revision, groupby)
            if let g = groups.firstIndex(where: { $0.key == key }) { groups[g].members.append(index) } else { groups.append((key, [index])) }
        }
        groups.sort { a, b in a.key.map(Self.sortText).lexicographicallyPrecedes(b.key.map(Self.sortText)) }

        var currentMetrics = [UUID: [String: UUID]]()
        var out = [UInt8(ascii: "[")]
        var written = 0
        for group in groups {
            var sums = [Int64: (granularity: Int64, value: Double)]()
            var referencesJSON = [JSONValue]()
            for member in group.members {
                var (revision, start, stop) = windows[member]
                if revision.metrics.isEmpty {
                    if currentMetrics[revision.id] == nil {
                        currentMetrics[revision.id] = try await withIndexErrors {
                            try await environment.core.indexer.resource(type: type.name, id: revision.id)
                        }?.metrics ?? [:]
                    }
                    revision.metrics = currentMetrics[revision.id] ?? [:]
                }
                if let start, let stop, start >= stop { continue }
                var windowArguments = arguments
                windowArguments.start = start
                windowArguments.stop = stop
                guard let (result, _) = try await aggregates.aggregated(
                    of: [revision], lookups: lookups, operation: operation, arguments: windowArguments) else { continue }
                guard result.isAggregated else {
                    throw APIError(.badRequest, detail: [
                        "cause": "Operations is invalid", "reason": "use_history needs operations that aggregate the series",
                        "detail": operation.node.json,
                    ])
                }
                if details { referencesJSON.append(ResourceBody.json(revision)) }
                for block in result.blocks {
                    guard let series = block.columns.first else { continue }
                    let g = block.granularity
                    for (t, v) in zip(series.timestamps, series.values) {
                        let from = max(start ?? t, t), to = min(stop ?? (t + g), t + g)
                        let coefficient = Double(to - from) / Double(g)
                        let previous = sums[t]?.value ?? 0
                        sums[t] = (g, previous + v * coefficient)
                    }
                }
            }
            guard !sums.isEmpty else { continue }
            var writer = MeasuresWriter(estimatedPoints: sums.count)
            for (t, entry) in sums.sorted(by: { $0.key < $1.key }) {
                writer.append(TimeSeries(timestamps: [t], values: [entry.value]), label: .span(entry.granularity))
            }
            var buffer = writer.finish()
            let rows = buffer.readBytes(length: buffer.readableBytes) ?? []
            if written > 0 { out += Array(", ".utf8) }
            out += Array(#"{"group": "#.utf8)
            JSONWriter.write(.object(Dictionary(uniqueKeysWithValues: zip(groupby, group.key))), into: &out)
            out += Array(#", "measures": {"measures": {"aggregated": "#.utf8) + rows + [UInt8(ascii: "}")]
            if details {
                out += Array(#", "references": "#.utf8)
                JSONWriter.write(.array(referencesJSON), into: &out)
            }
            out += Array("}}".utf8)
            written += 1
        }
        guard written > 0 else { throw aggregates.noSuchMetric(lookups) }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `str(value or '')`, the text Gnocchi sorts groups by.
    static func sortText(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let s): s
        case .bool(let b): b ? "True" : ""
        case .integer(let i): i == 0 ? "" : String(i)
        case .number(let d): d == 0 ? "" : MeasuresWriter.pythonRepr(d)
        default: String(decoding: value.serialized(), as: UTF8.self)
        }
    }
}
