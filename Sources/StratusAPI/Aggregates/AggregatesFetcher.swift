import Carbonara
import Foundation
import NIOCore
import StratusIndex
import StratusStorage

/// One series an aggregation reads: a metric with one of its aggregation methods (Gnocchi's `MetricReference`).
struct AggregatesReference: Sendable {
    /// What the operation's `metric` node names: the metric id (canonical) or, in the resource form, the metric
    /// name or wildcard that matched.
    var lookup: MetricLookup
    var metric: Metric
    var policy: ArchivePolicy
    /// The resource the metric was found on (resource form), nil in the metric-id form.
    var resourceId: UUID?

    /// `ref.name`: the metric id in the metric-id form, the metric's name in the resource form.
    var name: String { resourceId == nil ? PythonUUID.string(metric.id) : (metric.name ?? "") }
}

/// Reads the series of references and aggregates them (Gnocchi's `processor.get_measures`).
struct AggregatesFetcher: Sendable {
    let environment: APIEnvironment

    /// The aggregated measures.
    /// - Throws: `APIError` 400 "No granularity match" / "Granularities are missing" / any `AggregatesError`;
    ///   404 "Metrics with unknown aggregation" for a method the metric's policy does not have.
    func aggregate(
        _ references: [AggregatesReference], operation: AggregateOperation, arguments: AggregatesArguments
    ) async throws -> CrossSeriesAggregator.Result {
        let granularities: [Int64]
        if let granularity = arguments.granularity {
            granularities = [granularity]
        } else {
            var counts = [Int64: Int]()
            var order = [Int64]()
            for reference in references {
                for item in reference.policy.definition {
                    if counts[item.granularity] == nil { order.append(item.granularity) }
                    counts[item.granularity, default: 0] += 1
                }
            }
            granularities = order.filter { counts[$0] == references.count }
            guard !granularities.isEmpty else {
                throw AggregatesError.unaggregable(
                    "No granularity match",
                    references: .list(references.map { .list([.string($0.name), .string($0.lookup.aggregation)]) })).apiError
            }
        }

        var methods = [AggregationMethod]()
        var missing = [JSONValue]()
        for reference in references {
            guard let method = AggregationMethod(reference.lookup.aggregation),
                  reference.policy.aggregationMethods.contains(method) else {
                throw APIError(.notFound, detail: [
                    "cause": "Metrics with unknown aggregation",
                    "detail": [[.string(PythonUUID.string(reference.metric.id)), .string(reference.lookup.aggregation)]],
                ])
            }
            methods.append(method)
            if let absent = granularities.first(where: { reference.policy.item(granularity: $0) == nil }) {
                missing.append([.string(reference.name), .string(reference.lookup.aggregation), .number(Double(absent) / 1e9)])
            }
        }
        if !missing.isEmpty {
            throw APIError(.badRequest, detail: [
                "cause": "Metrics cannot be aggregated", "reason": "Granularities are missing", "detail": .array(missing),
            ])
        }

        let query = MeasuresQuery(start: arguments.start, stop: arguments.stop)
        let reader = environment.reader
        // Each sack's pack is read once for all the metrics it holds.
        let stored = try await reader.storedMetrics(references.map(\.metric.id))
        let read = try references.enumerated().map { index, reference in
            try reader.measures(
                of: reference.metric, stored: stored[reference.metric.id] ?? StoredMetric(), policy: reference.policy,
                method: methods[index], granularities: granularities, query: query)
        }
        let samplings = granularities.map { granularity in
            CrossSeriesAggregator.Sampling(granularity: granularity, series: read.map { aggregates in
                aggregates.first { $0.granularity == granularity }?.series ?? TimeSeries()
            })
        }
        let options = CrossSeriesAggregator.Options(
            start: arguments.start, stop: arguments.stop, fill: arguments.fill, neededOverlap: arguments.neededOverlap ?? 100)
        do {
            return try CrossSeriesAggregator.aggregate(
                operation, lookupKeys: references.map(\.lookup), samplings: samplings, options: options)
        } catch {
            throw error.apiError
        }
    }
}

/// Writes aggregation answers as Gnocchi prints them.
enum AggregatesWriter {
    /// The `measures` value: `{"aggregated": [...]}`, `{metric_id: {agg: [...]}}` or, in the resource form,
    /// `{resource_id: {metric_name: {agg: [...]}}}`; rows `["2015-03-06T14:33:00+00:00", 60.0, 43.1]`.
    static func measures(_ result: CrossSeriesAggregator.Result, references: [AggregatesReference]) -> [UInt8] {
        if result.isAggregated {
            return [UInt8](#"{"aggregated": "#.utf8) + rows(result, column: 0) + [UInt8(ascii: "}")]
        }
        // Keys in order of first appearance, as Python's dicts keep them.
        var outer = [(String, [(String, [(String, [Int])])])]()
        func slot<T>(_ list: inout [(String, T)], _ key: String, _ make: () -> T) -> Int {
            if let index = list.firstIndex(where: { $0.0 == key }) { return index }
            list.append((key, make()))
            return list.count - 1
        }
        let resourceForm = references.contains { $0.resourceId != nil }
        for (index, reference) in references.enumerated() {
            let outerKey = resourceForm ? PythonUUID.string(reference.resourceId ?? UUID()) : reference.name
            let middleKey = resourceForm ? reference.name : ""
            let o = slot(&outer, outerKey) { [] }
            let m = slot(&outer[o].1, middleKey) { [] }
            let a = slot(&outer[o].1[m].1, reference.lookup.aggregation) { [] }
            outer[o].1[m].1[a].1.append(index)
        }
        var out = [UInt8(ascii: "{")]
        for (i, (key, middles)) in outer.enumerated() {
            if i > 0 { out += Array(", ".utf8) }
            JSONWriter.writeString(key, into: &out)
            out += Array(": ".utf8)
            if resourceForm { out.append(UInt8(ascii: "{")) }
            for (j, (name, aggregations)) in middles.enumerated() {
                if resourceForm {
                    if j > 0 { out += Array(", ".utf8) }
                    JSONWriter.writeString(name, into: &out)
                    out += Array(": ".utf8)
                }
                out.append(UInt8(ascii: "{"))
                for (k, (aggregation, columns)) in aggregations.enumerated() {
                    if k > 0 { out += Array(", ".utf8) }
                    JSONWriter.writeString(aggregation, into: &out)
                    out += Array(": ".utf8)
                    out += rows(result, columns: columns)
                }
                out.append(UInt8(ascii: "}"))
            }
            if resourceForm { out.append(UInt8(ascii: "}")) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The rows of one column across every block.
    static func rows(_ result: CrossSeriesAggregator.Result, column: Int) -> [UInt8] {
        rows(result, columns: [column])
    }

    /// The rows of these columns (the same metric and aggregation found twice), block after block.
    static func rows(_ result: CrossSeriesAggregator.Result, columns: [Int]) -> [UInt8] {
        var writer = MeasuresWriter(estimatedPoints: result.blocks.reduce(0) { $0 + ($1.columns.first?.count ?? 0) } * columns.count)
        for block in result.blocks {
            for column in columns where column < block.columns.count {
                writer.append(block.columns[column], label: .span(block.granularity))
            }
        }
        var buffer = writer.finish()
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// `{"measures": …[, "references": …]}`.
    static func envelope(measures: [UInt8], references: JSONValue?) -> [UInt8] {
        var out = Array(#"{"measures": "#.utf8) + measures
        if let references {
            out += Array(#", "references": "#.utf8)
            JSONWriter.write(references, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
