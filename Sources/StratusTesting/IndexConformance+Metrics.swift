import Carbonara
import Foundation
import StratusIndex

extension IndexConformance {
    /// Metrics come back with every field as created; unknown ids are nil; an unknown policy is refused.
    public func metricsRoundTrip(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let resource = UUID()
        let full = Metric(
            id: UUID(), name: "cpu.util", unit: "%", archivePolicyName: "low", creator: "u:p", resourceId: resource,
            status: .active, needsRawDataTruncation: true, lastMeasureTimestamp: 1_700_000_000_123_456_789)
        let bare = Metric(id: UUID(), archivePolicyName: "low", creator: "")
        try await indexer.createMetric(full)
        try await indexer.createMetric(bare)
        try expectEqual(try await indexer.metric(id: full.id), full, "full metric")
        try expectEqual(try await indexer.metric(id: bare.id), bare, "bare metric")
        try expect(try await indexer.metric(id: UUID()) == nil, "unknown metric must be nil")
        try await expectError(.archivePolicyNotFound, message: "Archive policy nope does not exist", "unknown policy") {
            try await indexer.createMetric(metric(9, policy: "nope"))
        }
        try expect(try await indexer.metric(id: Self.id(9)) == nil, "refused metric must not exist")
    }

    /// Ids are unique, and so are names per resource (but not without a resource).
    public func metricUniquenessIsEnforced(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let resource = UUID(), other = UUID()
        try await indexer.createMetric(metric(1, name: "cpu", resource: resource))
        try await expectError(
            .metricAlreadyExists, message: "Metric \(Self.id(1).uuidString.lowercased()) already exists", "same id"
        ) {
            try await indexer.createMetric(metric(1, name: "mem"))
        }
        try await expectError(.metricAlreadyExists, message: "Named metric cpu already exists", "same resource and name") {
            try await indexer.createMetric(metric(2, name: "cpu", resource: resource))
        }
        try await indexer.createMetric(metric(3, name: "cpu", resource: other))
        try await indexer.createMetric(metric(4, name: "cpu"))
        try await indexer.createMetric(metric(5, name: "cpu"))
        try await indexer.createMetric(metric(6, resource: resource))
        try await indexer.createMetric(metric(7, resource: resource))
        let ids = try await indexer.listMetrics(MetricQuery()).map(\.id)
        try expectEqual(ids, [1, 3, 4, 5, 6, 7].map(Self.id), "created metrics")
    }

    /// `metrics(ids:)` returns existing metrics of any status, by id, skipping unknown and repeated ids.
    public func metricsByIdsIncludeEveryStatus(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        for n in 1...3 { try await indexer.createMetric(metric(n)) }
        try await indexer.markMetricDeleted(id: Self.id(2))
        let found = try await indexer.metrics(ids: [Self.id(3), Self.id(2), Self.id(99), Self.id(1), Self.id(3)])
        try expectEqual(found.map(\.id), [1, 2, 3].map(Self.id), "ids")
        try expectEqual(found.map(\.status), [.active, .delete, .active], "statuses")
        try expectEqual(try await indexer.metrics(ids: []), [], "no ids")
        try expectEqual(try await indexer.metric(id: Self.id(2))?.status, .delete, "metric(id:) of a deleted metric")
    }

    /// Each filter of `MetricQuery` narrows the list; status defaults to active, nil means any.
    public func listMetricsFilters(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicy(try policy("high"))
        let r1 = UUID(), r2 = UUID()
        try await indexer.createMetric(metric(1, name: "cpu", unit: "%", policy: "low", creator: "a", resource: r1))
        try await indexer.createMetric(metric(2, name: "mem", unit: "B", policy: "high", creator: "a", resource: r1))
        try await indexer.createMetric(metric(3, name: "cpu", unit: "%", policy: "high", creator: "b", resource: r2))
        try await indexer.createMetric(metric(4, policy: "low", creator: "b"))
        try await indexer.createMetric(metric(5, name: "gone", policy: "low", creator: "a"))
        try await indexer.markMetricDeleted(id: Self.id(5))

        func ids(_ query: MetricQuery) async throws -> [Int] {
            try await indexer.listMetrics(query).map { metric in (1...5).first { Self.id($0) == metric.id } ?? 0 }
        }
        try expectEqual(try await ids(MetricQuery()), [1, 2, 3, 4], "default (active)")
        try expectEqual(try await ids(MetricQuery(status: nil)), [1, 2, 3, 4, 5], "any status")
        try expectEqual(try await ids(MetricQuery(status: .delete)), [5], "deleted")
        try expectEqual(try await ids(MetricQuery(ids: [Self.id(3), Self.id(1), Self.id(5)])), [1, 3], "ids")
        try expectEqual(try await ids(MetricQuery(ids: [])), [], "empty ids")
        try expectEqual(try await ids(MetricQuery(names: ["cpu", "gone"])), [1, 3], "names")
        try expectEqual(try await ids(MetricQuery(names: [])), [], "empty names")
        try expectEqual(try await ids(MetricQuery(creator: "a")), [1, 2], "creator")
        try expectEqual(try await ids(MetricQuery(unit: "%")), [1, 3], "unit")
        try expectEqual(try await ids(MetricQuery(archivePolicyName: "high")), [2, 3], "archive policy")
        try expectEqual(try await ids(MetricQuery(resourceId: r1)), [1, 2], "resource")
        try expectEqual(try await ids(MetricQuery(names: ["cpu"], creator: "b", archivePolicyName: "high")), [3], "combined")
        try expectEqual(try await ids(MetricQuery(limit: 2)), [1, 2], "limit")
        try expectEqual(try await ids(MetricQuery(limit: 0)), [], "limit 0")
    }

    /// Sorting by nullable columns puts NULL first ascending and last descending; id breaks ties.
    public func listMetricsSortsWithNullsFirst(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createMetric(metric(1, name: "b", unit: "x"))
        try await indexer.createMetric(metric(2, name: nil, unit: "x"))
        try await indexer.createMetric(metric(3, name: "a", unit: nil))
        try await indexer.createMetric(metric(4, name: "B", unit: "x"))
        try await indexer.createMetric(metric(5, name: nil, unit: nil))

        func order(_ sort: [(key: String, ascending: Bool)]) async throws -> [Int] {
            try await indexer.listMetrics(MetricQuery(sort: sort)).map { metric in (1...5).first { Self.id($0) == metric.id } ?? 0 }
        }
        try expectEqual(try await order([(key: "name", ascending: true)]), [2, 5, 4, 3, 1], "name asc")
        try expectEqual(try await order([(key: "name", ascending: false)]), [1, 3, 4, 2, 5], "name desc")
        try expectEqual(
            try await order([(key: "unit", ascending: false), (key: "name", ascending: true)]), [2, 4, 1, 5, 3],
            "unit desc, name asc")
        try expectEqual(try await order([(key: "id", ascending: false)]), [5, 4, 3, 2, 1], "id desc")
    }

    /// Walking pages with `limit` and `marker` visits every metric once, in order, for several sorts.
    public func listMetricsPaginatesWithMarker(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let names: [String?] = ["b", nil, "a", "b", nil, "c", "a", nil, "b", "d", nil]
        let units: [String?] = [nil, "x", "y", nil, "x", "x", nil, "y", "y", nil, "x"]
        for (n, (name, unit)) in zip(names, units).enumerated() {
            try await indexer.createMetric(metric(n + 1, name: name, unit: unit, creator: n % 2 == 0 ? "a" : "b"))
        }
        try await indexer.setLastMeasureTimestamps([Self.id(3): 30, Self.id(4): 10, Self.id(8): 30])
        let sorts: [[(key: String, ascending: Bool)]] = [
            [],
            [(key: "name", ascending: true)],
            [(key: "name", ascending: false)],
            [(key: "unit", ascending: true), (key: "name", ascending: false)],
            [(key: "creator", ascending: false), (key: "unit", ascending: false), (key: "id", ascending: false)],
            [(key: "last_measure_timestamp", ascending: false)],
            [(key: "resource_id", ascending: true), (key: "archive_policy_name", ascending: true)],
        ]
        for sort in sorts {
            let all = try await indexer.listMetrics(MetricQuery(sort: sort)).map(\.id)
            try expectEqual(all.count, names.count, "full list for \(sort)")
            for limit in [1, 2, 3] {
                var walked: [UUID] = []
                var marker: UUID?
                while true {
                    let page = try await indexer.listMetrics(MetricQuery(sort: sort, limit: limit, marker: marker)).map(\.id)
                    walked += page
                    guard page.count == limit, let last = page.last else { break }
                    marker = last
                    try expect(walked.count <= names.count, "pagination does not terminate for \(sort)")
                }
                try expectEqual(walked, all, "pages of \(limit) for \(sort)")
            }
        }
    }

    /// Unknown sort keys, unknown markers and negative limits are invalid queries.
    public func listMetricsRejectsInvalidQueries(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createMetric(metric(1))
        try await expectError(.invalidQuery, "unknown sort key") {
            _ = try await indexer.listMetrics(MetricQuery(sort: [(key: "name; DROP TABLE metric", ascending: true)]))
        }
        try await expectError(.invalidQuery, message: "Invalid marker: `\(Self.id(2).uuidString.lowercased())'", "unknown marker") {
            _ = try await indexer.listMetrics(MetricQuery(marker: Self.id(2)))
        }
        try await expectError(.invalidQuery, "negative limit") {
            _ = try await indexer.listMetrics(MetricQuery(limit: -1))
        }
        try expectEqual(try await indexer.listMetrics(MetricQuery(marker: Self.id(1))), [], "after the last metric")
    }

    /// Deleting marks the metric `delete`, detaches it from its resource (freeing its name) and hides it.
    public func markMetricDeletedDetachesAndHides(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let resource = UUID()
        try await indexer.createMetric(metric(1, name: "cpu", resource: resource))
        try await indexer.markMetricDeleted(id: Self.id(1))
        let deleted = try await indexer.metric(id: Self.id(1))
        try expectEqual(deleted?.status, .delete, "status")
        try expectEqual(deleted?.resourceId, nil, "resource id")
        try expectEqual(try await indexer.listMetrics(MetricQuery()), [], "active list")
        try await expectError(.metricNotFound, message: "Metric \(Self.id(1).uuidString.lowercased()) does not exist", "twice") {
            try await indexer.markMetricDeleted(id: Self.id(1))
        }
        try await expectError(.metricNotFound, "unknown") {
            try await indexer.markMetricDeleted(id: Self.id(2))
        }
        try await indexer.createMetric(metric(2, name: "cpu", resource: resource))
        try expectEqual(try await indexer.listMetrics(MetricQuery(resourceId: resource)).map(\.id), [Self.id(2)], "name reused")
    }

    /// Expunging removes the row whatever its status; unknown ids are not found.
    public func expungeMetricRemovesTheRow(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createMetric(metric(1))
        try await indexer.createMetric(metric(2))
        try await indexer.markMetricDeleted(id: Self.id(1))
        try await indexer.expungeMetric(id: Self.id(1))
        try await indexer.expungeMetric(id: Self.id(2))
        try expectEqual(try await indexer.metrics(ids: [Self.id(1), Self.id(2)]), [], "after expunge")
        try await expectError(.metricNotFound, message: "Metric \(Self.id(1).uuidString.lowercased()) does not exist", "again") {
            try await indexer.expungeMetric(id: Self.id(1))
        }
    }

    /// metricd's batch updates: last measure timestamps and clearing the truncation flag; unknown ids are ignored.
    public func metricdBookkeepingUpdates(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        for n in 1...3 {
            var m = metric(n)
            m.needsRawDataTruncation = true
            try await indexer.createMetric(m)
        }
        try await indexer.setLastMeasureTimestamps([Self.id(1): 1_000_000_000_000_000_001, Self.id(3): -5, Self.id(9): 7])
        try await indexer.setLastMeasureTimestamps([:])
        try await indexer.clearNeedsRawDataTruncation(ids: [Self.id(2), Self.id(3), Self.id(9)])
        try await indexer.clearNeedsRawDataTruncation(ids: [])
        let metrics = try await indexer.metrics(ids: [1, 2, 3].map(Self.id))
        try expectEqual(metrics.map(\.lastMeasureTimestamp), [1_000_000_000_000_000_001, nil, -5], "timestamps")
        try expectEqual(metrics.map(\.needsRawDataTruncation), [true, false, false], "truncation flags")
        try await indexer.setLastMeasureTimestamps([Self.id(1): 42])
        try expectEqual(try await indexer.metric(id: Self.id(1))?.lastMeasureTimestamp, 42, "overwritten timestamp")
        try expect(try await indexer.metric(id: Self.id(9)) == nil, "unknown ids are not created")
    }

    /// Many concurrent creates and updates all land.
    public func concurrentWritesAllLand(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let count = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 1...count {
                group.addTask {
                    try await indexer.createMetric(self.metric(n, name: "m\(n)", resource: Self.id(1000)))
                    try await indexer.setLastMeasureTimestamps([Self.id(n): Int64(n)])
                }
            }
            try await group.waitForAll()
        }
        let metrics = try await indexer.listMetrics(MetricQuery())
        try expectEqual(metrics.count, count, "metrics")
        try expectEqual(metrics.map(\.lastMeasureTimestamp), (1...count).map { Int64($0) }, "timestamps")
    }
}
