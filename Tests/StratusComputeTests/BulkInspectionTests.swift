import StratusCore
@testable import StratusCompute
import StratusPolling
import Testing

/// The inspector's bulk-stats path, which the test driver never takes on its own (it answers only
/// the `state` group): a bulk record as qemu returns it is handed to the inspector for a real
/// test-driver domain, and its groups must win over the per-domain calls.
@Suite struct BulkInspectionTests {
    static func qemuLikeRecord() -> TypedParameters {
        TypedParameterList()
            .int("state.state", 1).int("state.reason", 1)
            .ullong("cpu.time", 5_000)
            .uint("vcpu.current", 2).uint("vcpu.maximum", 2)
            .ullong("vcpu.0.time", 1_000).ullong("vcpu.0.wait", 10).ullong("vcpu.1.time", 2_000).ullong("vcpu.1.wait", 20)
            .ullong("balloon.current", 1_048_576).ullong("balloon.available", 1_000_000).ullong("balloon.unused", 400_000)
            .ullong("balloon.rss", 300_000).ullong("balloon.swap_in", 2_048).ullong("balloon.swap_out", 1_024)
            .uint("block.count", 1).string("block.0.name", "vda")
            .ullong("block.0.rd.reqs", 11).ullong("block.0.rd.bytes", 22).ullong("block.0.wr.reqs", 33)
            .ullong("block.0.wr.bytes", 44).ullong("block.0.rd.times", 55).ullong("block.0.wr.times", 66)
            .ullong("block.0.capacity", 10_737_418_240).ullong("block.0.allocation", 1_073_741_824)
            .ullong("block.0.physical", 2_147_483_648)
            .uint("net.count", 1).string("net.0.name", "tap11223344-55")
            .ullong("net.0.rx.bytes", 100).ullong("net.0.rx.pkts", 10).ullong("net.0.rx.errs", 1).ullong("net.0.rx.drop", 2)
            .ullong("net.0.tx.bytes", 200).ullong("net.0.tx.pkts", 20).ullong("net.0.tx.errs", 3).ullong("net.0.tx.drop", 4)
            .ullong("perf.cpu_cycles", 42).ullong("perf.instructions", 43).ullong("perf.cache_references", 44)
            .ullong("perf.cache_misses", 45)
            .parameters
    }

    @Test func bulkGroupsWinOverPerDomainCalls() async throws {
        let harness = try ComputeHarness()
        let inspector = try ComputePollsters.inspector(harness.environment)
        let uuid = ComputePollsterTests.running
        guard case .found(let inspection) = try inspector.inspect(uuid: uuid, bulk: Self.qemuLikeRecord(), description: nil)
        else {
            Issue.record("the running domain vanished")
            return
        }
        #expect(inspection.cpuTime == 3_030)
        #expect(inspection.vcpus == 2)
        #expect(inspection.memory?.actualBalloon == 1_048_576)
        #expect(inspection.memory?.usable == nil)
        #expect(inspection.perf["cpu_cycles"] == 42)
        let vda = try #require(inspection.disks.first { $0.device == "vda" })
        #expect(vda.stats?.readRequests == 11)
        #expect(vda.readTotalTimes == 55)
        #expect(vda.writeTotalTimes == 66)
        #expect(vda.info == BlockInfo(capacity: 10_737_418_240, allocation: 1_073_741_824, physical: 2_147_483_648))
        // vdb is not in the bulk record: per-domain calls fill it in (latency stays unknown).
        let vdb = try #require(inspection.disks.first { $0.device == "vdb" })
        #expect((vdb.stats?.readRequests ?? 0) > 11)
        #expect(vdb.readTotalTimes == nil)
        let tap = try #require(inspection.interfaces.first { $0.description.name == "tap11223344-55" })
        #expect(tap.stats?.rxBytes == 100)
        #expect(tap.rxBytesDelta == 0)

        // The pollsters turn the bulk values into B4's samples.
        let context = harness.context()
        context.cache.set(LibvirtInspector.inspectionKeyPrefix + uuid, LibvirtInspector.Outcome.found(inspection))
        let resources = try await harness.discoverer.discover(parameter: nil, context: context)
            .filter { $0.id == uuid }
        func poll(_ name: String) async throws -> [Sample] {
            try await #require(harness.pollsters[name]).poll(resources: resources, context: context)
        }
        let cycles = try await poll("perf.cpu.cycles")
        #expect(cycles.map(\.volume) == [42])
        #expect(cycles.first?.unit == "")
        #expect(cycles.first?.type == .gauge)
        #expect(try await poll("perf.instructions").map(\.volume) == [43])
        #expect(try await poll("perf.cache.references").map(\.volume) == [44])
        #expect(try await poll("perf.cache.misses").map(\.volume) == [45])
        let latency = try await poll("disk.device.read.latency")
        #expect(latency.map(\.resourceID) == ["\(uuid)-vda"])
        #expect(latency.map(\.volume) == [55])
        #expect(latency.first?.unit == "ns")
        #expect(try await poll("disk.device.write.latency").map(\.volume) == [66])
        #expect(try await poll("cpu").map(\.volume) == [3_030])
        #expect(try await poll("memory").map(\.volume) == [1024.0])
        #expect(try await poll("memory.usage").map(\.volume) == [.double((1_000_000 - 400_000) / 1024.0)])
        #expect(try await poll("memory.swap.in").map(\.volume) == [2.0])
        #expect(try await poll("disk.device.capacity").first { $0.resourceID == "\(uuid)-vda" }?.volume == .int(10_737_418_240))
        #expect(try await poll("disk.device.usage").first { $0.resourceID == "\(uuid)-vda" }?.volume == .int(2_147_483_648))
        #expect(try await poll("network.incoming.packets.drop").first?.volume == 2)
        #expect(try await poll("network.outgoing.packets.error").first?.volume == 3)
    }

    @Test func deltaIsCurrentValueWhenTheCounterGoesBack() throws {
        let harness = try ComputeHarness()
        let inspector = try ComputePollsters.inspector(harness.environment)
        #expect(inspector.delta(key: "u/tap", rx: 100, tx: 50) == (0, 0))
        #expect(inspector.delta(key: "u/tap", rx: 160, tx: 80) == (60, 30))
        #expect(inspector.delta(key: "u/tap", rx: 10, tx: 90) == (10, 10))
    }
}
