import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// A libvirt domain handle with typed wrappers of the per-domain calls the inspector uses.
///
/// Thread safety: libvirt domain handles may be used from several threads (`@unchecked
/// Sendable`); the handle is immutable and freed once, in `deinit`.
public final class LibvirtDomain: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Takes ownership of a domain reference (freed with `virDomainFree`).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        virDomainFree(pointer)
    }

    /// The domain name (`instance-0000002a`).
    public var name: String {
        virDomainGetName(pointer).map { String(cString: $0) } ?? ""
    }

    /// The domain UUID in its canonical lower-case form.
    public var uuid: String {
        Self.uuidString(pointer) ?? ""
    }

    static func uuidString(_ pointer: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        guard virDomainGetUUIDString(pointer, &buffer) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `virDomainGetInfo`.
    public func info() throws(LibvirtError) -> DomainInfo {
        var info = virDomainInfo()
        guard virDomainGetInfo(pointer, &info) == 0 else { throw LibvirtError.last("virDomainGetInfo") }
        return DomainInfo(
            state: Int(info.state), maxMemoryKiB: UInt64(info.maxMem), memoryKiB: UInt64(info.memory),
            vcpuCount: Int(info.nrVirtCpu), cpuTime: info.cpuTime)
    }

    /// `virDomainGetVcpus`: the CPU time of each running vCPU, in nanoseconds.
    /// - Parameter maximum: The number of vCPUs to ask for (the domain's `nrVirtCpu`).
    public func vcpuTimes(maximum: Int) throws(LibvirtError) -> [UInt64] {
        guard maximum > 0 else { return [] }
        var infos = [virVcpuInfo](repeating: virVcpuInfo(), count: maximum)
        let count = virDomainGetVcpus(pointer, &infos, Int32(maximum), nil, 0)
        guard count >= 0 else { throw LibvirtError.last("virDomainGetVcpus") }
        return infos.prefix(Int(count)).map(\.cpuTime)
    }

    /// `virDomainMemoryStats`: balloon statistics by tag (`VIR_DOMAIN_MEMORY_STAT_*`), in KiB.
    public func memoryStats() throws(LibvirtError) -> MemoryStatistics {
        let capacity = Int(VIR_DOMAIN_MEMORY_STAT_NR.rawValue)
        var stats = [virDomainMemoryStatStruct](repeating: virDomainMemoryStatStruct(), count: capacity)
        let count = virDomainMemoryStats(pointer, &stats, UInt32(capacity), 0)
        guard count >= 0 else { throw LibvirtError.last("virDomainMemoryStats") }
        var result = MemoryStatistics()
        for stat in stats.prefix(Int(count)) { result.set(tag: stat.tag, value: stat.val) }
        return result
    }

    /// `virDomainBlockStats` for one disk (target device name such as `vda`).
    public func blockStats(_ device: String) throws(LibvirtError) -> BlockStatistics {
        var stats = virDomainBlockStatsStruct()
        guard virDomainBlockStats(pointer, device, &stats, MemoryLayout<virDomainBlockStatsStruct>.size) == 0 else {
            throw LibvirtError.last("virDomainBlockStats")
        }
        return BlockStatistics(
            readRequests: stats.rd_req, readBytes: stats.rd_bytes, writeRequests: stats.wr_req,
            writeBytes: stats.wr_bytes, errors: stats.errs)
    }

    /// `virDomainBlockStatsFlags` for one disk: the extended statistics (`rd_total_times`, …).
    /// - Throws: ``LibvirtError`` of kind ``LibvirtError/Kind/unsupported`` on drivers without it
    ///   (the test driver).
    public func blockStatsFlags(_ device: String) throws(LibvirtError) -> TypedParameters {
        var count: Int32 = 0
        guard virDomainBlockStatsFlags(pointer, device, nil, &count, 0) == 0 else {
            throw LibvirtError.last("virDomainBlockStatsFlags")
        }
        guard count > 0 else { return TypedParameters() }
        var parameters = [virTypedParameter](repeating: virTypedParameter(), count: Int(count))
        guard virDomainBlockStatsFlags(pointer, device, &parameters, &count, 0) == 0 else {
            throw LibvirtError.last("virDomainBlockStatsFlags")
        }
        return parameters.withUnsafeBufferPointer { TypedParameters($0.baseAddress, count: Int(count)) }
    }

    /// `virDomainGetBlockInfo` for one disk.
    public func blockInfo(_ device: String) throws(LibvirtError) -> BlockInfo {
        var info = virDomainBlockInfo()
        guard virDomainGetBlockInfo(pointer, device, &info, 0) == 0 else {
            throw LibvirtError.last("virDomainGetBlockInfo")
        }
        return BlockInfo(capacity: info.capacity, allocation: info.allocation, physical: info.physical)
    }

    /// `virDomainInterfaceStats` for one vNIC (target device name such as `tap1234-56`).
    public func interfaceStats(_ device: String) throws(LibvirtError) -> InterfaceStatistics {
        var stats = virDomainInterfaceStatsStruct()
        guard virDomainInterfaceStats(pointer, device, &stats, MemoryLayout<virDomainInterfaceStatsStruct>.size) == 0
        else { throw LibvirtError.last("virDomainInterfaceStats") }
        return InterfaceStatistics(
            rxBytes: stats.rx_bytes, rxPackets: stats.rx_packets, rxErrors: stats.rx_errs, rxDrop: stats.rx_drop,
            txBytes: stats.tx_bytes, txPackets: stats.tx_packets, txErrors: stats.tx_errs, txDrop: stats.tx_drop)
    }

    /// `virDomainGetPerfEvents`: which perf events are enabled (`cpu_cycles: true`, …).
    public func perfEvents() throws(LibvirtError) -> TypedParameters {
        var parameters: virTypedParameterPtr?
        var count: Int32 = 0
        guard virDomainGetPerfEvents(pointer, &parameters, &count, 0) == 0 else {
            throw LibvirtError.last("virDomainGetPerfEvents")
        }
        defer { virTypedParamsFree(parameters, count) }
        return TypedParameters(parameters, count: Int(count))
    }

    /// `virDomainListGetStats` for this domain alone (the per-domain form of bulk stats).
    /// - Parameter groups: `VIR_DOMAIN_STATS_*` bits.
    public func stats(groups: UInt32) throws(LibvirtError) -> TypedParameters {
        var domains: [OpaquePointer?] = [pointer, nil]
        var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>?
        let count = virDomainListGetStats(&domains, groups, &records, 0)
        guard count >= 0, let records else { throw LibvirtError.last("virDomainListGetStats") }
        defer { virDomainStatsRecordListFree(records) }
        return DomainStatsRecord.read(records, count: Int(count)).first?.parameters ?? TypedParameters()
    }

    /// `virDomainGetXMLDesc`: the domain XML (live definition).
    public func xmlDescription() throws(LibvirtError) -> String {
        guard let text = virDomainGetXMLDesc(pointer, 0) else { throw LibvirtError.last("virDomainGetXMLDesc") }
        defer { free(text) }
        return String(cString: text)
    }

    /// `virDomainGetMetadata` for a custom element, or nil when the domain has none in that
    /// namespace.
    /// - Parameter namespace: The element's namespace URI.
    public func metadata(namespace: String) throws(LibvirtError) -> String? {
        guard let text = virDomainGetMetadata(pointer, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), namespace, 0) else {
            let error = LibvirtError.last("virDomainGetMetadata")
            if UInt32(bitPattern: error.code) == VIR_ERR_NO_DOMAIN_METADATA.rawValue { return nil }
            throw error
        }
        defer { free(text) }
        return String(cString: text)
    }
}

/// `virDomainInfo`.
public struct DomainInfo: Sendable, Hashable {
    /// `virDomainState`: 0 no state, 1 running, 2 blocked, 3 paused, 4 shutting down, 5 shut off,
    /// 6 crashed, 7 suspended by power management.
    public var state: Int
    /// Maximum memory, KiB.
    public var maxMemoryKiB: UInt64
    /// Current memory, KiB.
    public var memoryKiB: UInt64
    /// Number of vCPUs.
    public var vcpuCount: Int
    /// CPU time used, nanoseconds.
    public var cpuTime: UInt64
}

/// `virDomainMemoryStats` values, KiB (libvirt's units); nil when the driver or guest does not
/// report the tag.
public struct MemoryStatistics: Sendable, Hashable {
    public var swapIn: UInt64?
    public var swapOut: UInt64?
    public var unused: UInt64?
    public var available: UInt64?
    public var actualBalloon: UInt64?
    public var rss: UInt64?
    public var usable: UInt64?

    /// Creates statistics.
    public init(
        swapIn: UInt64? = nil, swapOut: UInt64? = nil, unused: UInt64? = nil, available: UInt64? = nil,
        actualBalloon: UInt64? = nil, rss: UInt64? = nil, usable: UInt64? = nil
    ) {
        self.swapIn = swapIn
        self.swapOut = swapOut
        self.unused = unused
        self.available = available
        self.actualBalloon = actualBalloon
        self.rss = rss
        self.usable = usable
    }

    /// Sets a value by `VIR_DOMAIN_MEMORY_STAT_*` tag; other tags are ignored.
    mutating func set(tag: Int32, value: UInt64) {
        switch UInt32(bitPattern: tag) {
        case VIR_DOMAIN_MEMORY_STAT_SWAP_IN.rawValue: swapIn = value
        case VIR_DOMAIN_MEMORY_STAT_SWAP_OUT.rawValue: swapOut = value
        case VIR_DOMAIN_MEMORY_STAT_UNUSED.rawValue: unused = value
        case VIR_DOMAIN_MEMORY_STAT_AVAILABLE.rawValue: available = value
        case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON.rawValue: actualBalloon = value
        case VIR_DOMAIN_MEMORY_STAT_RSS.rawValue: rss = value
        case VIR_DOMAIN_MEMORY_STAT_USABLE.rawValue: usable = value
        default: break
        }
    }

    /// Whether no value is known (no balloon device, or a guest without a balloon driver).
    public var isEmpty: Bool {
        swapIn == nil && swapOut == nil && unused == nil && available == nil && actualBalloon == nil
            && rss == nil && usable == nil
    }
}

/// `virDomainBlockStats` (−1 means "not supported by the driver" for a field).
public struct BlockStatistics: Sendable, Hashable {
    public var readRequests: Int64
    public var readBytes: Int64
    public var writeRequests: Int64
    public var writeBytes: Int64
    public var errors: Int64
}

/// `virDomainGetBlockInfo`, bytes.
public struct BlockInfo: Sendable, Hashable {
    public var capacity: UInt64
    public var allocation: UInt64
    public var physical: UInt64
}

/// `virDomainInterfaceStats` (−1 means "not supported by the driver" for a field).
public struct InterfaceStatistics: Sendable, Hashable {
    public var rxBytes: Int64
    public var rxPackets: Int64
    public var rxErrors: Int64
    public var rxDrop: Int64
    public var txBytes: Int64
    public var txPackets: Int64
    public var txErrors: Int64
    public var txDrop: Int64
}
