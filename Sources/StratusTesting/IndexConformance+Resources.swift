import Foundation
import StratusIndex

extension IndexConformance {
    /// The resource checks, in a stable order (run by `SQLiteResourceIndexTests` / `PostgresResourceIndexTests`).
    public static let resourceChecks: [Check] = {
        let suite = IndexConformance()
        return [
            Check(name: "resourcesRoundTrip", run: suite.resourcesRoundTrip),
            Check(name: "resourceCreationErrors", run: suite.resourceCreationErrors),
            Check(name: "updateMakesRevisionOnlyWhenAttributesChange", run: suite.updateMakesRevisionOnlyWhenAttributesChange),
            Check(name: "deletingResourcesMarksTheirMetricsDeleted", run: suite.deletingResourcesMarksTheirMetricsDeleted),
            Check(name: "listResourcesFiltersSortsAndPages", run: suite.listResourcesFiltersSortsAndPages),
            Check(name: "listGenericResourcesWithDetails", run: suite.listGenericResourcesWithDetails),
            Check(name: "resourceMetricsByNameAndPattern", run: suite.resourceMetricsByNameAndPattern),
        ]
    }()

    static let t0: Int64 = 1_700_000_000_000_000_000

    func seedResourceFixtures(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        _ = try await indexer.createResourceType(try everyKindType())
    }

    func resourcesRoundTrip(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        let existing = metric(1, name: "old", creator: "u:p")
        try await indexer.createMetric(existing)
        let id = UUID(), image = UUID()
        let created = try await indexer.createResource(ResourceCreation(
            id: id, type: "server", originalResourceId: "vm-1", creator: "u:p", startedAt: Self.t0, userId: "u",
            projectId: "p",
            attributes: [
                "host": .string("compute-1"), "image": .uuid(image), "vcpus": .number(4), "active": .bool(true),
                "launched_at": .datetime(Self.t0 + 1_000),
            ],
            metrics: ["cpu": .create(archivePolicyName: "low", unit: "ns"), "memory": .existing(existing.id)]))
        try expectEqual(created.id, id, "id")
        try expectEqual(created.originalResourceId, "vm-1", "original id")
        try expectEqual(created.startedAt, Self.t0, "started_at")
        try expectEqual(created.revision, -1, "current revision")
        try expectEqual(created.revisionEnd, nil, "revision_end")
        try expectEqual(created.attributes["host"], .string("compute-1"), "host")
        try expectEqual(created.attributes["image"], .uuid(image), "image")
        try expectEqual(created.attributes["vcpus"], .number(4), "vcpus")
        try expectEqual(created.attributes["active"], .bool(true), "active")
        try expectEqual(created.attributes["launched_at"], .datetime(Self.t0 + 1_000), "launched_at")
        try expectEqual(Set(created.metrics.keys), ["cpu", "memory"], "metric names")
        try expectEqual(created.metrics["memory"], existing.id, "attached metric")
        let cpu = try await indexer.metric(id: created.metrics["cpu"]!)
        try expectEqual(cpu?.resourceId, id, "created metric's resource")
        try expectEqual(cpu?.unit, "ns", "created metric's unit")
        try expectEqual(cpu?.creator, "u:p", "created metric's creator")
        try expectEqual(try await indexer.metric(id: existing.id)?.name, "memory", "attached metric renamed")

        try expectEqual(try await indexer.resource(type: "server", id: id), created, "stored resource")
        let generic = try await indexer.resource(type: "generic", id: id)
        try expectEqual(generic?.type, "server", "type seen through generic")
        try expectEqual(generic?.attributes ?? ["x": .null], [:], "generic view has no attributes")
        try expect(try await indexer.resource(type: "server", id: UUID()) == nil, "unknown id is nil")
        _ = try await indexer.createResourceType(ResourceType(name: "other"))
        try expect(try await indexer.resource(type: "other", id: id) == nil, "resource of another type is nil")

        let attached = try await indexer.activeMetrics(ofResources: [id, UUID()])
        try expectEqual(Set(attached.compactMap(\.name)), ["cpu", "memory"], "active metrics of resources")
        let unknown = UUID()
        try expectEqual(try await indexer.existingResources([id, unknown]), [id], "existing resources")
        try expectEqual(try await indexer.activeMetrics(ofResources: []), [], "no ids")
    }

    func resourceCreationErrors(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        let id = UUID()
        _ = try await indexer.createResource(ResourceCreation(id: id, type: "server", creator: "a", attributes: ["host": .string("h")]))
        try await expectError(.resourceAlreadyExists, message: "Resource \(id.uuidString.lowercased()) already exists", "duplicate") {
            _ = try await indexer.createResource(ResourceCreation(id: id, type: "generic", creator: "a"))
        }
        try await expectError(.resourceTypeNotFound, "unknown type") {
            _ = try await indexer.createResource(ResourceCreation(id: UUID(), type: "nope", creator: "a"))
        }
        try await expectError(.resourceValueError, message: "Start timestamp cannot be after end timestamp", "start after end") {
            _ = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "generic", creator: "a", startedAt: Self.t0, endedAt: Self.t0 - 1))
        }
        let missing = UUID()
        try await expectError(.metricNotFound, "unknown metric") {
            _ = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "generic", creator: "a", metrics: ["m": .existing(missing)]))
        }
        try await expectError(.archivePolicyNotFound, "unknown policy") {
            _ = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "generic", creator: "a", metrics: ["m": .create(archivePolicyName: "nope", unit: nil)]))
        }
        // Another creator's metric cannot be attached.
        try await indexer.createMetric(metric(7, creator: "someone-else"))
        try await expectError(.metricNotFound, "foreign metric") {
            _ = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "generic", creator: "a", metrics: ["m": .existing(Self.id(7))]))
        }
        // Failed creations leave nothing behind.
        try expectEqual(try await indexer.listResources(type: "generic", query: ResourceQuery()).count, 1, "resources")
    }

    func updateMakesRevisionOnlyWhenAttributesChange(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        let id = UUID()
        let created = try await indexer.createResource(ResourceCreation(
            id: id, type: "server", creator: "a", startedAt: Self.t0, attributes: ["host": .string("h1")],
            metrics: ["cpu": .create(archivePolicyName: "low", unit: nil)]))
        let same = try await indexer.updateResource(
            type: "server", id: id, ResourceUpdate(attributes: ["host": .string("h1")]))
        try expectEqual(same.revisionStart, created.revisionStart, "no revision for an unchanged value")
        try expectEqual(try await history(indexer, id).count, 1, "history after a no-op")

        let moved = try await indexer.updateResource(
            type: "server", id: id, ResourceUpdate(endedAt: .some(Self.t0 + 10), attributes: ["host": .string("h2")]))
        try expectEqual(moved.attributes["host"], .string("h2"), "new host")
        try expectEqual(moved.endedAt, Self.t0 + 10, "ended_at")
        try expect(moved.revisionStart >= created.revisionStart, "revision_start moves forward")
        let revisions = try await history(indexer, id)
        try expectEqual(revisions.count, 2, "history after a change")
        try expectEqual(revisions[0].attributes["host"], .string("h1"), "old revision keeps the old host")
        try expectEqual(revisions[0].revisionEnd, moved.revisionStart, "old revision ends when the new starts")
        try expect(revisions[0].revision > 0, "history revision number")
        try expectEqual(revisions[1].revision, -1, "current revision last")

        // Metrics only: no revision; the previous metrics are detached, not deleted.
        let oldCPU = moved.metrics["cpu"]!
        let rewired = try await indexer.updateResource(
            type: "server", id: id,
            ResourceUpdate(metrics: ["disk": .create(archivePolicyName: "low", unit: nil)], createRevision: false))
        try expectEqual(Set(rewired.metrics.keys), ["disk"], "metrics replaced")
        try expectEqual(rewired.revisionStart, moved.revisionStart, "no revision for metrics")
        let detached = try await indexer.metric(id: oldCPU)
        try expectEqual(detached?.status, .active, "detached metric stays active")
        try expectEqual(detached?.resourceId, nil, "detached metric has no resource")
        let appended = try await indexer.updateResource(
            type: "server", id: id,
            ResourceUpdate(metrics: ["cpu": .existing(oldCPU)], appendMetrics: true, createRevision: false))
        try expectEqual(Set(appended.metrics.keys), ["cpu", "disk"], "metrics appended")
        try await expectError(.metricAlreadyExists, message: "Named metric disk already exists", "name taken") {
            _ = try await indexer.updateResource(
                type: "server", id: id,
                ResourceUpdate(metrics: ["disk": .create(archivePolicyName: "low", unit: nil)], appendMetrics: true,
                               createRevision: false))
        }
        try await expectError(.resourceValueError, "ended before started") {
            _ = try await indexer.updateResource(type: "server", id: id, ResourceUpdate(endedAt: .some(Self.t0 - 5)))
        }
        try await expectError(.resourceNotFound, "unknown resource") {
            _ = try await indexer.updateResource(type: "server", id: UUID(), ResourceUpdate(userId: .some("x")))
        }
    }

    func history(_ indexer: any Indexer, _ id: UUID) async throws -> [Resource] {
        try await indexer.listResources(
            type: "server",
            query: ResourceQuery(filter: .equal("id", .string(id.uuidString)), sort: [(key: "revision_start", ascending: true)], history: true))
    }

    func deletingResourcesMarksTheirMetricsDeleted(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        var ids: [UUID] = []
        for host in ["a", "b", "b"] {
            let resource = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "server", creator: "c", attributes: ["host": .string(host)],
                metrics: ["cpu": .create(archivePolicyName: "low", unit: nil)]))
            ids.append(resource.id)
            _ = try await indexer.updateResource(type: "server", id: resource.id, ResourceUpdate(userId: .some("changed")))
        }
        let first = try await indexer.resource(type: "server", id: ids[0])!
        try await indexer.deleteResource(id: ids[0])
        try expect(try await indexer.resource(type: "server", id: ids[0]) == nil, "deleted resource")
        let metric = try await indexer.metric(id: first.metrics["cpu"]!)
        try expectEqual(metric?.status, .delete, "its metric is marked deleted")
        try await expectError(.resourceNotFound, "deleting twice") { try await indexer.deleteResource(id: ids[0]) }

        let deleted = try await indexer.deleteResources(type: "server", filter: .equal("host", .string("b")), creator: nil)
        try expectEqual(deleted, 2, "bulk deleted")
        try expectEqual(try await indexer.listResources(type: "generic", query: ResourceQuery(history: true)).count, 0, "nothing left")
        try expectEqual(try await indexer.listMetrics(MetricQuery()).count, 0, "no active metric left")
        do {
            _ = try await indexer.deleteResources(type: "server", filter: .equal("nope", .string("x")), creator: nil)
            throw fail("unknown attribute was accepted", check: #function, file: #fileID, line: #line)
        } catch let error as SearchError {
            try expectEqual(error.code, .unknownAttribute, "unknown attribute error")
        }
    }

    func listResourcesFiltersSortsAndPages(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        var byHost: [String: UUID] = [:]
        for (n, host) in ["e", "c", "a", "d", "b"].enumerated() {
            let id = Self.id(n + 1)
            byHost[host] = id
            _ = try await indexer.createResource(ResourceCreation(
                id: id, type: "server", creator: "c", startedAt: Self.t0 + Int64(n),
                attributes: ["host": .string(host), "vcpus": n.isMultiple(of: 2) ? .number(Double(n)) : .null]))
        }
        let all = try await indexer.listResources(type: "server", query: ResourceQuery())
        try expectEqual(all.count, 5, "all")
        let sorted = try await indexer.listResources(type: "server", query: ResourceQuery(sort: [(key: "host", ascending: false)]))
        try expectEqual(sorted.map { $0.attributes["host"] }, ["e", "d", "c", "b", "a"].map { .string($0) }, "host desc")
        let filtered = try await indexer.listResources(
            type: "server", query: ResourceQuery(filter: .comparison(.greaterThanOrEqual, attribute: "vcpus", value: .integer(2))))
        try expectEqual(Set(filtered.map(\.id)), [byHost["a"]!, byHost["b"]!], "vcpus >= 2")
        // Pages of 2 by vcpus (NULL first), then id.
        var query = ResourceQuery(sort: [(key: "vcpus", ascending: true)], limit: 2)
        var seen: [UUID] = []
        while true {
            let page = try await indexer.listResources(type: "server", query: query)
            seen += page.map(\.id)
            guard page.count == 2, let last = page.last else { break }
            query.marker = last.id.uuidString.lowercased()
        }
        try expectEqual(seen, [byHost["c"]!, byHost["d"]!, byHost["e"]!, byHost["a"]!, byHost["b"]!], "paged order")
        try await expectError(.invalidQuery, message: "Sort key supplied is invalid: nope", "bad sort key") {
            _ = try await indexer.listResources(type: "server", query: ResourceQuery(sort: [(key: "nope", ascending: true)]))
        }
        try await expectError(.invalidQuery, "unknown marker") {
            _ = try await indexer.listResources(type: "server", query: ResourceQuery(marker: UUID().uuidString))
        }
        try await expectError(.resourceTypeNotFound, "unknown type") {
            _ = try await indexer.listResources(type: "nope", query: ResourceQuery())
        }
        // History markers are id@revision.
        _ = try await indexer.updateResource(type: "server", id: byHost["a"]!, ResourceUpdate(userId: .some("u2")))
        let revisions = try await indexer.listResources(
            type: "server", query: ResourceQuery(filter: .equal("host", .string("a")), limit: 1, history: true))
        try expectEqual(revisions.count, 1, "first revision page")
        let next = try await indexer.listResources(
            type: "server",
            query: ResourceQuery(
                filter: .equal("host", .string("a")), limit: 5,
                marker: "\(revisions[0].id.uuidString.lowercased())@\(revisions[0].revision)", history: true))
        try expectEqual(next.count, 1, "second revision page")
        try expect(next[0].revision != revisions[0].revision, "another revision")
    }

    func listGenericResourcesWithDetails(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        let server = UUID(), plain = UUID()
        _ = try await indexer.createResource(ResourceCreation(
            id: server, type: "server", creator: "c", startedAt: Self.t0, attributes: ["host": .string("h")]))
        _ = try await indexer.createResource(ResourceCreation(id: plain, type: "generic", creator: "c", startedAt: Self.t0 + 1))
        let brief = try await indexer.listResources(type: "generic", query: ResourceQuery())
        try expectEqual(brief.map(\.id), [server, plain], "default order")
        try expectEqual(brief[0].attributes, [:], "no attributes without details")
        let detailed = try await indexer.listResources(type: "generic", query: ResourceQuery(details: true))
        try expectEqual(detailed[0].attributes["host"], .string("h"), "attributes with details")
        try expectEqual(detailed[1].attributes, [:], "generic resource has none")
        let byType = try await indexer.listResources(
            type: "generic", query: ResourceQuery(filter: .equal("type", .string("server"))))
        try expectEqual(byType.map(\.id), [server], "filter on type")
    }

    func resourceMetricsByNameAndPattern(_ indexer: any Indexer) async throws {
        try await seedResourceFixtures(indexer)
        for host in ["h1", "h2"] {
            _ = try await indexer.createResource(ResourceCreation(
                id: UUID(), type: "server", creator: "c", attributes: ["host": .string(host)],
                metrics: [
                    "cpu": .create(archivePolicyName: "low", unit: nil),
                    "disk.read": .create(archivePolicyName: "low", unit: nil),
                    "disk.write": .create(archivePolicyName: "low", unit: nil),
                ]))
        }
        let cpu = try await indexer.resourceMetrics(ResourceMetricQuery(
            type: "server", filter: .equal("host", .string("h1")), metricNames: ["cpu"]))
        try expectEqual(cpu.map(\.metric.name), ["cpu"], "exact name")
        try expectEqual(cpu.first?.resource.attributes["host"], .string("h1"), "with its resource")
        let disks = try await indexer.resourceMetrics(ResourceMetricQuery(type: "server", metricNames: ["disk.*"]))
        try expectEqual(disks.count, 4, "pattern over every resource")
    }
}
