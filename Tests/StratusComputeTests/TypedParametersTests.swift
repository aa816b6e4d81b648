import CLibvirt
@testable import StratusCompute
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Typed parameters built with libvirt's own `virTypedParamsAdd*`, as the bulk stats API returns
/// them, then read back.
final class TypedParameterList {
    var pointer: virTypedParameterPtr?
    var count: Int32 = 0
    var capacity: Int32 = 0

    init() { LibvirtConnection.initializeLibrary() }

    deinit { virTypedParamsFree(pointer, count) }

    func ullong(_ field: String, _ value: UInt64) -> Self {
        #expect(virTypedParamsAddULLong(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    func uint(_ field: String, _ value: UInt32) -> Self {
        #expect(virTypedParamsAddUInt(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    func int(_ field: String, _ value: Int32) -> Self {
        #expect(virTypedParamsAddInt(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    func llong(_ field: String, _ value: Int64) -> Self {
        #expect(virTypedParamsAddLLong(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    func string(_ field: String, _ value: String) -> Self {
        #expect(virTypedParamsAddString(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    func bool(_ field: String, _ value: Bool) -> Self {
        #expect(virTypedParamsAddBoolean(&pointer, &count, &capacity, field, value ? 1 : 0) == 0)
        return self
    }

    func double(_ field: String, _ value: Double) -> Self {
        #expect(virTypedParamsAddDouble(&pointer, &count, &capacity, field, value) == 0)
        return self
    }

    var parameters: TypedParameters { TypedParameters(pointer, count: Int(count)) }
}

@Suite struct TypedParametersTests {
    @Test func readsEveryTypeWithItsField() {
        let list = TypedParameterList()
            .ullong("cpu.time", 12_345_678_901_234).uint("vcpu.current", 4).int("state.state", 1)
            .llong("net.0.rx.drop", -1).string("block.0.name", "vda").bool("perf.enabled", true).double("ratio", 0.25)
        let parameters = list.parameters
        #expect(parameters["cpu.time"] == .unsigned(12_345_678_901_234))
        #expect(parameters["vcpu.current"] == .int(4))
        #expect(parameters["state.state"] == .int(1))
        #expect(parameters["net.0.rx.drop"] == .int(-1))
        #expect(parameters["block.0.name"] == .string("vda"))
        #expect(parameters["perf.enabled"] == .bool(true))
        #expect(parameters["ratio"] == .double(0.25))
        #expect(parameters.values.count == 7)
        #expect(parameters.uint64("net.0.rx.drop") == nil)
        #expect(parameters.int64("cpu.time") == 12_345_678_901_234)
    }

    @Test func emptyListHasNoValues() {
        #expect(TypedParameters(nil, count: 0).values.isEmpty)
    }

    @Test func cpuTimeSumsVcpuTimeAndWait() {
        let parameters = TypedParameterList()
            .uint("vcpu.current", 2).uint("vcpu.maximum", 2)
            .ullong("vcpu.0.time", 100).ullong("vcpu.0.wait", 5)
            .ullong("vcpu.1.time", 200).ullong("vcpu.1.wait", 7)
            .ullong("cpu.time", 999).parameters
        #expect(BulkStats.cpuTime(parameters) == 312)
        #expect(BulkStats.vcpuCurrent(parameters) == 2)
    }

    @Test func cpuTimeFallsBackToCPUTimeWhenVcpusHaveHoles() {
        // vCPU 1 has no wait: Ceilometer counts one vCPU of two and falls back to cpu.time.
        let parameters = TypedParameterList()
            .uint("vcpu.current", 2).uint("vcpu.maximum", 2)
            .ullong("vcpu.0.time", 100).ullong("vcpu.0.wait", 5).ullong("vcpu.1.time", 200)
            .ullong("cpu.time", 999).parameters
        #expect(BulkStats.cpuTime(parameters) == 999)
    }

    @Test func cpuTimeIsNilWithoutCPUGroups() {
        let parameters = TypedParameterList().int("state.state", 1).int("state.reason", 1).parameters
        #expect(BulkStats.cpuTime(parameters) == nil)
        #expect(BulkStats.memory(parameters) == nil)
        #expect(BulkStats.blocks(parameters) == nil)
        #expect(BulkStats.interfaces(parameters) == nil)
        #expect(BulkStats.perf(parameters).isEmpty)
        #expect(BulkStats.state(parameters) == 1)
    }

    @Test func blockGroupReadsCountersSizesAndTimes() throws {
        let parameters = TypedParameterList()
            .uint("block.count", 2)
            .string("block.0.name", "vda").ullong("block.0.rd.reqs", 10).ullong("block.0.rd.bytes", 4096)
            .ullong("block.0.wr.reqs", 3).ullong("block.0.wr.bytes", 1024).ullong("block.0.rd.times", 777)
            .ullong("block.0.wr.times", 888).ullong("block.0.capacity", 20).ullong("block.0.allocation", 5)
            .ullong("block.0.physical", 30)
            .string("block.1.name", "vdb").ullong("block.1.capacity", 7).ullong("block.1.allocation", 1).parameters
        let blocks = try #require(BulkStats.blocks(parameters))
        let vda = try #require(blocks["vda"])
        #expect(vda.stats?.readRequests == 10)
        #expect(vda.stats?.readBytes == 4096)
        #expect(vda.stats?.writeRequests == 3)
        #expect(vda.stats?.writeBytes == 1024)
        #expect(vda.readTotalTimes == 777)
        #expect(vda.writeTotalTimes == 888)
        #expect(vda.info == BlockInfo(capacity: 20, allocation: 5, physical: 30))
        let vdb = try #require(blocks["vdb"])
        #expect(vdb.stats == nil)
        #expect(vdb.info == BlockInfo(capacity: 7, allocation: 1, physical: 7))
        #expect(vdb.readTotalTimes == nil)
    }

    @Test func netGroupReadsEveryCounterByTap() throws {
        let parameters = TypedParameterList()
            .uint("net.count", 1).string("net.0.name", "tap0")
            .ullong("net.0.rx.bytes", 1).ullong("net.0.rx.pkts", 2).ullong("net.0.rx.errs", 3).ullong("net.0.rx.drop", 4)
            .ullong("net.0.tx.bytes", 5).ullong("net.0.tx.pkts", 6).ullong("net.0.tx.errs", 7).ullong("net.0.tx.drop", 8)
            .parameters
        let stats = try #require(BulkStats.interfaces(parameters)?["tap0"])
        #expect(stats == InterfaceStatistics(
            rxBytes: 1, rxPackets: 2, rxErrors: 3, rxDrop: 4, txBytes: 5, txPackets: 6, txErrors: 7, txDrop: 8))
    }

    @Test func balloonAndPerfGroups() throws {
        let parameters = TypedParameterList()
            .ullong("balloon.current", 2048).ullong("balloon.available", 4096).ullong("balloon.usable", 1024)
            .ullong("balloon.rss", 512).ullong("balloon.swap_in", 1).ullong("balloon.swap_out", 2)
            .ullong("perf.cpu_cycles", 42).ullong("perf.instructions", 43).parameters
        let memory = try #require(BulkStats.memory(parameters))
        #expect(memory.actualBalloon == 2048)
        #expect(memory.available == 4096)
        #expect(memory.usable == 1024)
        #expect(memory.rss == 512)
        #expect(memory.swapIn == 1)
        #expect(memory.swapOut == 2)
        #expect(memory.unused == nil)
        #expect(BulkStats.perf(parameters) == ["cpu_cycles": 42, "instructions": 43])
    }
}
