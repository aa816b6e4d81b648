import Foundation
import StratusCore
import StratusTesting
import Testing
@testable import StratusPipeline

/// The `gnocchi://` publisher against a real Stratus API on loopback.
@Suite("Gnocchi publisher", .serialized, .timeLimit(.minutes(2)))
struct GnocchiPublisherTests {
    private func metricPolicy(_ port: Int, _ id: TelemetryValue?) async throws -> String? {
        guard case .string(let id)? = id else { return nil }
        let metric = try await getJSON(port, "metric/\(id)").body
        if case .string(let name)? = metric["archive_policy"]?["name"] { return name }
        return metric["archive_policy"]?.stringValue
    }

    private func points(_ port: Int, _ path: String, granularity: Int) async throws -> [TelemetryValue] {
        try await getJSON(port, "\(path)/measures?granularity=\(granularity)&refresh=true").body.items
    }

    @Test func createsResourcesWithTheirAttributesMetricsUnderTheirPoliciesAndStoresMeasures() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            try await withLiveAPI(fixture) { port in
                let publisher = try GnocchiPublisher(
                    url: PublisherURL("gnocchi://"), context: gnocchiContext(port: port, logs: fixture.logs), retry: fastRetry)
                let t = "2026-11-25T10:00:00"
                try await publisher.publish([
                    ComputeSamples.cpu(1_000_000_000, at: t),
                    ComputeSamples.gauge("memory.usage", 512, at: t),
                    ComputeSamples.disk(4096, at: t),
                    ComputeSamples.nic(1500, at: t),
                    ComputeSamples.gauge("no.such.meter", 1, at: t),
                    ComputeSamples.gauge("no.such.meter", 2, at: "2026-11-25T10:01:00"),
                    ComputeSamples.gauge("memory.usage", 999, at: "2026-11-25T10:02:00", resource: "other", project: "service"),
                ])
                var byName = ComputeSamples.gauge("memory.usage", 999, at: "2026-11-25T10:02:00", resource: "other2", project: "p9")
                byName.projectName = "service"
                try await publisher.publish([byName, ComputeSamples.gauge("memory.usage", 256, at: "2026-11-25T10:06:00")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                let statistics = await publisher.statistics
                #expect(statistics.deliveredSamples == 5)
                #expect(statistics.unknownMeterSamples == 2)
                #expect(statistics.filteredSamples == 2)
                #expect(statistics.resourcesCreated == 3)
                #expect(statistics.droppedRejected == 0)
                #expect(fixture.logs.entries(mentioning: "meter not handled by Gnocchi").count == 1)

                for policy in ["ceilometer-low", "ceilometer-low-rate", "ceilometer-high", "ceilometer-high-rate"] {
                    #expect(try await getJSON(port, "archive_policy/\(policy)").status == 200)
                }
                let instance = try await getJSON(port, "resource/instance/\(ComputeSamples.instance)")
                #expect(instance.status == 200)
                #expect(instance.body["host"] == "compute-1")
                #expect(instance.body["display_name"] == "web-1")
                #expect(instance.body["flavor_id"] == "2")
                #expect(instance.body["flavor_name"] == "m1.small")
                #expect(instance.body["image_ref"] == "c0ffee00-0000-4000-8000-000000000001")
                #expect(instance.body["project_id"] == "p1")
                #expect(instance.body["user_id"] == "u1")
                #expect(try await metricPolicy(port, instance.body["metrics"]?["cpu"]) == "ceilometer-low-rate")
                #expect(try await metricPolicy(port, instance.body["metrics"]?["memory.usage"]) == "ceilometer-low")
                #expect(instance.body["metrics"]?["no.such.meter"] == nil)

                let disk = try await getJSON(port, "resource/instance_disk/\(ComputeSamples.instance)-vda")
                #expect(disk.status == 200)
                #expect(disk.body["name"] == "vda")
                #expect(disk.body["instance_id"] == .string(ComputeSamples.instance))
                #expect(try await metricPolicy(port, disk.body["metrics"]?["disk.device.read.bytes"]) == "ceilometer-low-rate")
                let nic = try await getJSON(port, "resource/instance_network_interface/instance-00000001-\(ComputeSamples.instance)-tap0")
                #expect(nic.status == 200)
                #expect(nic.body["name"] == "tap0")
                #expect(try await getJSON(port, "resource/generic/other").status == 404)
                #expect(try await getJSON(port, "resource/generic/other2").status == 404)

                try await fixture.drain()
                let memory = try await points(port, "resource/instance/\(ComputeSamples.instance)/metric/memory.usage", granularity: 300)
                #expect(memory.count == 2)
                #expect(memory.first?.items.last?.doubleValue == 512)
                #expect(memory.last?.items.last?.doubleValue == 256)
                await publisher.close()
            }
        }
    }

    @Test func patchesAttributesOnlyWhenTheyChange() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            try await withLiveAPI(fixture) { port in
                let publisher = try GnocchiPublisher(
                    url: PublisherURL("gnocchi://"), context: gnocchiContext(port: port, logs: fixture.logs), retry: fastRetry)
                try await publisher.publish([ComputeSamples.cpu(1, at: "2026-11-25T10:00:00", displayName: "before")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                try await publisher.publish([ComputeSamples.cpu(2, at: "2026-11-25T10:05:00", displayName: "before")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                #expect(await publisher.statistics.resourcesPatched == 0)
                try await publisher.publish([ComputeSamples.cpu(3, at: "2026-11-25T10:10:00", displayName: "after")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                #expect(await publisher.statistics.resourcesPatched == 1)
                #expect(try await getJSON(port, "resource/instance/\(ComputeSamples.instance)").body["display_name"] == "after")
                try await publisher.publish([ComputeSamples.cpu(4, at: "2026-11-25T10:15:00", displayName: "after")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                #expect(await publisher.statistics.resourcesPatched == 1)
                #expect(await publisher.statistics.deliveredSamples == 4)
                await publisher.close()
            }
        }
    }

    @Test func keepsSamplesWhileGnocchiIsDownAndDeliversThemAllWhenItIsBack() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            let port = unusedPort()
            // ceilometer-high keeps 1-second points: every sample is one point.
            let publisher = try GnocchiPublisher(
                url: PublisherURL("gnocchi://?archive_policy=ceilometer-high"), context: gnocchiContext(port: port, logs: fixture.logs),
                retry: fastRetry)
            var second = 0
            func batch(_ count: Int) -> [Sample] {
                (0..<count).map { _ in
                    defer { second += 1 }
                    return ComputeSamples.gauge("memory.usage", Double(second), at: String(format: "2026-11-25T10:%02d:%02d", second / 60, second % 60))
                }
            }
            for _ in 0..<5 { try await publisher.publish(batch(10)) }
            try await Task.sleep(for: .milliseconds(300))
            let statistics = await publisher.statistics
            #expect(statistics.unavailableAttempts > 0)
            #expect(statistics.queuedSamples == 50)
            #expect(statistics.deliveredSamples == 0)
            #expect(!fixture.logs.entries(mentioning: "Gnocchi unavailable").isEmpty)

            try await withLiveAPI(fixture, port: port) { _ in
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
            }
            // Down again: more samples wait, then go when the API is back on the same port.
            for _ in 0..<3 { try await publisher.publish(batch(10)) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(await publisher.statistics.queuedSamples == 30)
            try await withLiveAPI(fixture, port: port) { port in
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                let after = await publisher.statistics
                #expect(after.deliveredSamples == 80)
                #expect(after.droppedOverflow == 0)
                try await fixture.drain()
                let stored = try await points(port, "resource/instance/\(ComputeSamples.instance)/metric/memory.usage", granularity: 1)
                #expect(stored.count == 80)
                #expect(stored.map { $0.items.last?.doubleValue ?? -1 } == (0..<80).map(Double.init))
            }
            await publisher.close()
        }
    }

    @Test func overflowDropsTheOldestSamplesAndCountsThem() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            let port = unusedPort()
            let publisher = try GnocchiPublisher(
                url: PublisherURL("gnocchi://?archive_policy=ceilometer-high&max_queue_samples=10"),
                context: gnocchiContext(port: port, logs: fixture.logs), retry: fastRetry)
            for index in 0..<5 {
                try await publisher.publish((0..<4).map {
                    ComputeSamples.gauge("memory.usage", 1, at: String(format: "2026-11-25T10:00:%02d", index * 4 + $0))
                })
            }
            var statistics = await publisher.statistics
            #expect(statistics.droppedOverflow >= 6)
            #expect(statistics.queuedSamples <= 14)
            #expect(statistics.droppedOverflow + statistics.queuedSamples == 20)
            #expect(!fixture.logs.entries(mentioning: "queue full").isEmpty)
            try await withLiveAPI(fixture, port: port) { _ in
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
            }
            statistics = await publisher.statistics
            #expect(statistics.deliveredSamples + statistics.droppedOverflow == 20)
            await publisher.close()
        }
    }

    @Test func aFullQueueWaitsForGnocchiInsteadOfDroppingWhileItAnswers() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            try await withLiveAPI(fixture) { port in
                let publisher = try GnocchiPublisher(
                    url: PublisherURL("gnocchi://?archive_policy=ceilometer-high&max_queue_samples=10"),
                    context: gnocchiContext(port: port, logs: fixture.logs), retry: fastRetry)
                var most = 0
                for index in 0..<15 {
                    var batch: [Sample] = []
                    for second in index * 4..<index * 4 + 4 {
                        let time = String(format: "2026-11-25T10:%02d:%02d", second / 60, second % 60)
                        batch.append(ComputeSamples.gauge("memory.usage", Double(second), at: time))
                    }
                    try await publisher.publish(batch)
                    most = max(most, await publisher.statistics.queuedSamples)
                }
                #expect(most <= 14)
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                let statistics = await publisher.statistics
                #expect(statistics.droppedOverflow == 0, "\(fixture.logs.entries(mentioning: "Gnocchi").filter { !$0.description.contains("queue full") })")
                #expect(statistics.deliveredSamples == 60)
                #expect(fixture.logs.entries(mentioning: "queue full").isEmpty)
                try await fixture.drain()
                let stored = try await points(port, "resource/instance/\(ComputeSamples.instance)/metric/memory.usage", granularity: 1)
                #expect(stored.count == 60)
                await publisher.close()
            }
        }
    }

    @Test func aResourceGnocchiRefusesDropsOnlyItsSamples() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            try await withLiveAPI(fixture) { port in
                let publisher = try GnocchiPublisher(
                    url: PublisherURL("gnocchi://"), context: gnocchiContext(port: port, logs: fixture.logs), retry: fastRetry)
                // No flavor: instance's required flavor_id and flavor_name are missing, so Gnocchi refuses the resource.
                var bare = ComputeSamples.gauge("memory.usage", 1, at: "2026-11-25T10:00:00", resource: "7e6a2a4c-2f3a-4a57-9d5e-0c6b7e8f9a02")
                bare.resourceMetadata = ["display_name": "x"]
                try await publisher.publish([bare, ComputeSamples.gauge("memory.usage", 5, at: "2026-11-25T10:00:00")])
                #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
                let statistics = await publisher.statistics
                #expect(statistics.deliveredSamples == 1)
                #expect(statistics.droppedRejected == 1)
                #expect(!fixture.logs.entries(mentioning: "cannot create resource").isEmpty)
                await publisher.close()
            }
        }
    }

    @Test func theShippedPipelineStoresCPUUtilAndDrainsOnShutdown() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            try await withLiveAPI(fixture) { port in
                let path = GnocchiResourcesDefinitionTests.repositoryRoot.appendingPathComponent("pipeline.yaml").path
                let manager = try PipelineManager(path: path, context: gnocchiContext(port: port, logs: fixture.logs))
                // The five sinks name the same `gnocchi://`: one publisher, one queue, one sender.
                #expect(await manager.backgroundPublishers().count == 1)
                let meterSink = await manager.publishers(ofSink: "meter_sink")
                let cpuSink = await manager.publishers(ofSink: "cpu_sink")
                #expect(meterSink.count == 1 && cpuSink.count == 1)
                #expect(ObjectIdentifier(meterSink[0].publisher as AnyObject) == ObjectIdentifier(cpuSink[0].publisher as AnyObject))
                // 2 vCPUs busy half the time: 1 s of CPU per 10 s of wall clock = 5 % per vCPU.
                for (round, time) in ["2026-11-25T10:00:00", "2026-11-25T10:00:10", "2026-11-25T10:00:20"].enumerated() {
                    var sample = ComputeSamples.cpu(Int64(round) * 1_000_000_000, at: time)
                    sample.resourceMetadata["cpu_number"] = 2
                    await manager.process([sample])
                }
                #expect(await manager.drainAndClosePublishers(timeout: .seconds(30)))
                try await fixture.drain()
                let base = "resource/instance/\(ComputeSamples.instance)/metric"
                let utilization = try await points(port, "\(base)/cpu_util", granularity: 300)
                #expect(utilization.count == 1)
                #expect(utilization.first?.items.last?.doubleValue == 5)
                #expect(try await points(port, "\(base)/cpu.delta", granularity: 300).first?.items.last?.doubleValue == 1e9)
                #expect(try await points(port, "\(base)/cpu", granularity: 300).count == 1)
            }
        }
    }
}
