import CLibvirt

/// Reading the groups of libvirt's bulk stats (`virConnectGetAllDomainStats`) into the values
/// the meters need. Each reader returns nil when its group is absent, so the inspector falls back
/// to per-domain calls.
public enum BulkStats {
    /// The groups the inspector asks for.
    public static let groups: UInt32 = VIR_DOMAIN_STATS_STATE.rawValue | VIR_DOMAIN_STATS_CPU_TOTAL.rawValue
        | VIR_DOMAIN_STATS_BALLOON.rawValue | VIR_DOMAIN_STATS_VCPU.rawValue | VIR_DOMAIN_STATS_INTERFACE.rawValue
        | VIR_DOMAIN_STATS_BLOCK.rawValue | VIR_DOMAIN_STATS_PERF.rawValue

    /// The perf group alone.
    public static let perfGroup: UInt32 = VIR_DOMAIN_STATS_PERF.rawValue

    /// `state.state`.
    public static func state(_ p: TypedParameters) -> Int? {
        p.int64("state.state").map { Int($0) }
    }

    /// Ceilometer's CPU time: Σ over `vcpu.maximum` of `vcpu.N.time + vcpu.N.wait`; when that
    /// does not account for `vcpu.current` vCPUs (holes), `cpu.time`.
    public static func cpuTime(_ p: TypedParameters) -> UInt64? {
        if let current = p.int64("vcpu.current"), let maximum = p.int64("vcpu.maximum") {
            var remaining = current
            var total: UInt64 = 0
            for index in 0..<max(0, maximum) {
                if let time = p.uint64("vcpu.\(index).time"), let wait = p.uint64("vcpu.\(index).wait") {
                    total &+= time &+ wait
                    remaining -= 1
                }
            }
            if remaining == 0 { return total }
        }
        return p.uint64("cpu.time")
    }

    /// `vcpu.current`.
    public static func vcpuCurrent(_ p: TypedParameters) -> Int? {
        p.int64("vcpu.current").map { Int($0) }
    }

    /// The `balloon.*` group (KiB), nil when absent.
    public static func memory(_ p: TypedParameters) -> MemoryStatistics? {
        guard p.hasField(withPrefix: "balloon.") else { return nil }
        let stats = MemoryStatistics(
            swapIn: p.uint64("balloon.swap_in"), swapOut: p.uint64("balloon.swap_out"), unused: p.uint64("balloon.unused"),
            available: p.uint64("balloon.available"), actualBalloon: p.uint64("balloon.current"),
            rss: p.uint64("balloon.rss"), usable: p.uint64("balloon.usable"))
        return stats.isEmpty ? nil : stats
    }

    /// One disk of the `block.*` group.
    public struct Block: Sendable, Hashable {
        public var stats: BlockStatistics?
        public var info: BlockInfo?
        public var readTotalTimes: UInt64?
        public var writeTotalTimes: UInt64?
    }

    /// The `block.*` group by device name (`block.N.name`), nil when absent.
    public static func blocks(_ p: TypedParameters) -> [String: Block]? {
        guard let count = p.int64("block.count") else { return nil }
        var result = [String: Block]()
        for index in 0..<max(0, count) {
            let prefix = "block.\(index)."
            guard let name = p.string(prefix + "name"), result[name] == nil else { continue }
            var block = Block()
            if let rdReqs = p.int64(prefix + "rd.reqs"), let rdBytes = p.int64(prefix + "rd.bytes"),
               let wrReqs = p.int64(prefix + "wr.reqs"), let wrBytes = p.int64(prefix + "wr.bytes") {
                block.stats = BlockStatistics(
                    readRequests: rdReqs, readBytes: rdBytes, writeRequests: wrReqs, writeBytes: wrBytes, errors: -1)
            }
            if let capacity = p.uint64(prefix + "capacity"), let allocation = p.uint64(prefix + "allocation") {
                block.info = BlockInfo(
                    capacity: capacity, allocation: allocation, physical: p.uint64(prefix + "physical") ?? capacity)
            }
            block.readTotalTimes = p.uint64(prefix + "rd.times")
            block.writeTotalTimes = p.uint64(prefix + "wr.times")
            result[name] = block
        }
        return result
    }

    /// The `net.*` group by tap name (`net.N.name`), nil when absent.
    public static func interfaces(_ p: TypedParameters) -> [String: InterfaceStatistics]? {
        guard let count = p.int64("net.count") else { return nil }
        var result = [String: InterfaceStatistics]()
        for index in 0..<max(0, count) {
            let prefix = "net.\(index)."
            guard let name = p.string(prefix + "name") else { continue }
            func value(_ field: String) -> Int64 { p.int64(prefix + field) ?? -1 }
            result[name] = InterfaceStatistics(
                rxBytes: value("rx.bytes"), rxPackets: value("rx.pkts"), rxErrors: value("rx.errs"),
                rxDrop: value("rx.drop"), txBytes: value("tx.bytes"), txPackets: value("tx.pkts"),
                txErrors: value("tx.errs"), txDrop: value("tx.drop"))
        }
        return result
    }

    /// The `perf.*` counters, by event name without the prefix; empty when absent.
    public static func perf(_ p: TypedParameters) -> [String: UInt64] {
        var result = [String: UInt64]()
        for (field, value) in p.values where field.hasPrefix("perf.") {
            if let number = value.uint64 { result[String(field.dropFirst(5))] = number }
        }
        return result
    }
}
