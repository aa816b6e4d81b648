/// Everything the compute meters need about one domain in one polling cycle, gathered once
/// (bulk stats where the driver answers them, per-domain calls otherwise) and shared by every
/// compute pollster through the cycle cache.
public struct DomainInspection: Sendable, Hashable {
    /// One disk (`<uuid>-<dev>` resources).
    public struct Disk: Sendable, Hashable {
        /// The target device (`vda`).
        public var device: String
        /// `virDomainBlockStats` (or bulk `block.N.*`), nil when unavailable.
        public var stats: BlockStatistics?
        /// `virDomainGetBlockInfo` (or bulk `block.N.capacity/allocation/physical`), nil when
        /// unavailable or for network disks.
        public var info: BlockInfo?
        /// Total read time, ns (`rd_total_times` / bulk `block.N.rd.times`), nil when the driver
        /// does not report it.
        public var readTotalTimes: UInt64?
        /// Total write time, ns.
        public var writeTotalTimes: UInt64?
    }

    /// One vNIC.
    public struct Interface: Sendable, Hashable {
        /// The vNIC as the domain XML describes it.
        public var description: DomainDescription.Interface
        /// `virDomainInterfaceStats` (or bulk `net.N.*`), nil when unavailable.
        public var stats: InterfaceStatistics?
        /// Received bytes since the previous inspection of this tap (0 the first time; the
        /// current value when the counter went backwards).
        public var rxBytesDelta: Int64?
        /// Transmitted bytes since the previous inspection.
        public var txBytesDelta: Int64?
    }

    /// The domain UUID.
    public var uuid: String
    /// The domain name.
    public var name: String
    /// `virDomainState` (1 running, 3 paused, 5 shut off…).
    public var state: Int
    /// Cumulative CPU time, ns: Σ vCPU time + wait from bulk stats, else `cpu.time`, else
    /// `virDomainGetInfo`'s cpuTime.
    public var cpuTime: UInt64?
    /// Number of vCPUs in use (`vcpu.current`, else the running vCPUs of `virDomainGetVcpus`,
    /// else `nrVirtCpu`).
    public var vcpus: Int?
    /// Current memory from `virDomainGetInfo`, KiB (used for `memory` when no balloon stats).
    public var currentMemoryKiB: UInt64?
    /// Balloon statistics, KiB; nil when the domain has no balloon or is not running.
    public var memory: MemoryStatistics?
    /// Perf event counters of enabled events (`cpu_cycles`, `instructions`, `cache_references`,
    /// `cache_misses`, …).
    public var perf: [String: UInt64]
    /// Disks with a source.
    public var disks: [Disk]
    /// vNICs with a tap device.
    public var interfaces: [Interface]
    /// The calls that failed for other reasons than "unsupported" or "not running", for logs.
    public var failures: [String]

    /// Whether the domain is shut off (`VIR_DOMAIN_SHUTOFF`).
    public var isShutOff: Bool { state == 5 }
}
