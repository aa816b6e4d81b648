import Logging
import StratusPolling
import Synchronization

/// Gathers the statistics of libvirt domains for the compute pollsters: one bulk-stats call per
/// cycle for every domain, then, per domain and only for the groups the driver left empty, the
/// per-domain calls (`virDomainGetInfo`, `GetVcpus`, `MemoryStats`, `BlockStats`,
/// `BlockStatsFlags`, `GetBlockInfo`, `InterfaceStats`, `GetPerfEvents`, `GetXMLDesc`).
///
/// Results are memoised in the cycle's ``PollingCache``: every pollster of one cycle shares one
/// ``DomainInspection`` per domain.
public final class LibvirtInspector: Sendable {
    /// The connection.
    public let connection: LibvirtConnection
    /// Whether shut-off domains are inspected in full (`compute.report_stopped_instance_metrics`).
    public let reportStoppedInstanceMetrics: Bool
    private let logger: Logger
    /// Previous interface counters by `<uuid>/<tap>`, for the `.delta` meters.
    private let previousInterfaceBytes = Mutex<[String: (rx: Int64, tx: Int64)]>([:])
    /// Set once the driver answered "unsupported" to `virDomainBlockStatsFlags`.
    private let blockStatsFlagsUnsupported = Atomic<Bool>(false)

    /// The cache key of the cycle's bulk stats.
    static let bulkKey = "compute.libvirt.bulk"
    /// The cache key prefix of a domain's parsed XML (stored by discovery, reused by inspection).
    static let descriptionKeyPrefix = "compute.libvirt.description."
    /// The cache key prefix of a domain's inspection.
    static let inspectionKeyPrefix = "compute.libvirt.inspection."

    /// Creates an inspector.
    public init(connection: LibvirtConnection, reportStoppedInstanceMetrics: Bool = false, logger: Logger) {
        self.connection = connection
        self.reportStoppedInstanceMetrics = reportStoppedInstanceMetrics
        self.logger = logger
    }

    /// What inspecting a domain found.
    public enum Outcome: Sendable, Hashable {
        /// The domain's statistics.
        case found(DomainInspection)
        /// The domain no longer exists (it vanished between discovery and polling).
        case vanished
    }

    // MARK: - Cycle-cached access

    /// The bulk stats of every domain for this cycle, by UUID (one libvirt call per cycle).
    /// - Throws: ``LibvirtError`` when the connection cannot be (re)opened.
    public func bulkStats(cache: PollingCache) async throws -> [String: TypedParameters] {
        try await cache.value(Self.bulkKey) { [connection] () async throws -> [String: TypedParameters] in
            let records: [DomainStatsRecord]
            do throws(LibvirtError) {
                records = try connection.allDomainStats(groups: BulkStats.groups)
            } catch {
                guard error.kind == .unsupported else { throw error }
                return [:]
            }
            var byUUID = [String: TypedParameters](minimumCapacity: records.count)
            for record in records { byUUID[record.uuid] = record.parameters }
            return byUUID
        }
    }

    /// The inspection of the domain `uuid` for this cycle, computed by the first pollster that
    /// asks.
    /// - Throws: ``LibvirtError`` when the connection cannot be (re)opened, or an unexpected
    ///   failure of the domain lookup.
    public func inspection(uuid: String, cache: PollingCache) async throws -> Outcome {
        try await cache.value(Self.inspectionKeyPrefix + uuid) { [self] () async throws -> Outcome in
            let bulk = try await bulkStats(cache: cache)
            let description: DomainDescription? = cache.value(Self.descriptionKeyPrefix + uuid)
            return try inspect(uuid: uuid, bulk: bulk[uuid], description: description)
        }
    }

    // MARK: - Inspection

    /// Inspects one domain now.
    /// - Parameters:
    ///   - uuid: The domain UUID.
    ///   - bulk: Its bulk stats record, if the cycle has one.
    ///   - description: Its parsed XML, if discovery already read it this cycle.
    /// - Throws: ``LibvirtError`` when the connection is lost or the lookup fails otherwise.
    public func inspect(uuid: String, bulk: TypedParameters?, description: DomainDescription?) throws(LibvirtError)
        -> Outcome
    {
        let domain: LibvirtDomain
        do {
            domain = try connection.lookupDomain(uuid: uuid)
        } catch where error.kind == .noDomain {
            return .vanished
        }
        do {
            return .found(try inspect(domain: domain, uuid: uuid, bulk: bulk ?? TypedParameters(), description: description))
        } catch where error.kind == .noDomain {
            return .vanished
        }
    }

    private func inspect(
        domain: LibvirtDomain, uuid: String, bulk: TypedParameters, description known: DomainDescription?
    ) throws(LibvirtError) -> DomainInspection {
        var failures = [String]()
        /// Runs a per-domain call; unsupported / not-running answers give nil quietly, a vanished
        /// domain or a lost connection propagate, anything else is recorded.
        func attempt<T>(_ body: () throws(LibvirtError) -> T) throws(LibvirtError) -> T? {
            do {
                return try body()
            } catch {
                switch error.kind {
                case .noDomain, .connection: throw error
                case .unsupported, .operationInvalid: return nil
                case .other:
                    failures.append(error.description)
                    return nil
                }
            }
        }

        let description: DomainDescription
        if let known {
            description = known
        } else {
            let xml = try domain.xmlDescription()
            do {
                description = try DomainDescription(xml: xml)
            } catch {
                failures.append("domain XML: \(error)")
                description = DomainDescription(domain: XMLElement(name: "domain"))
            }
        }

        // State, CPU, vCPUs: bulk first; virDomainGetInfo when any is missing.
        var state = BulkStats.state(bulk)
        var cpuTime = BulkStats.cpuTime(bulk)
        var vcpus = BulkStats.vcpuCurrent(bulk)
        var currentMemory: UInt64?
        if state == nil || cpuTime == nil || vcpus == nil {
            let info = try domain.info()
            state = state ?? info.state
            cpuTime = cpuTime ?? info.cpuTime
            currentMemory = info.memoryKiB
            if vcpus == nil {
                if info.state != 5, let times = try attempt({ () throws(LibvirtError) in try domain.vcpuTimes(maximum: info.vcpuCount) }) {
                    vcpus = times.count
                } else {
                    vcpus = info.vcpuCount
                }
            }
        }
        currentMemory = currentMemory ?? bulk.uint64("balloon.current")
        let domainState = state ?? 0
        var inspection = DomainInspection(
            uuid: uuid, name: description.name ?? domain.name, state: domainState, cpuTime: cpuTime, vcpus: vcpus,
            currentMemoryKiB: currentMemory, memory: nil, perf: [:], disks: [], interfaces: [], failures: [])
        let full = domainState != 5 || reportStoppedInstanceMetrics

        // Disks: capacity/usage for every domain, I/O counters only when inspected in full.
        let bulkBlocks = BulkStats.blocks(bulk)
        for disk in description.disks {
            var result = DomainInspection.Disk(device: disk.device)
            let fromBulk = bulkBlocks?[disk.device]
            if disk.type != "network" {
                if let info = fromBulk?.info {
                    result.info = info
                } else {
                    result.info = try attempt { () throws(LibvirtError) in try domain.blockInfo(disk.device) }
                }
            }
            if full {
                if let stats = fromBulk?.stats {
                    result.stats = stats
                } else if domainState != 5 {
                    result.stats = try attempt { () throws(LibvirtError) in try domain.blockStats(disk.device) }
                }
                result.readTotalTimes = fromBulk?.readTotalTimes
                result.writeTotalTimes = fromBulk?.writeTotalTimes
                if result.readTotalTimes == nil, domainState != 5, !blockStatsFlagsUnsupported.load(ordering: .relaxed) {
                    do {
                        let flags = try domain.blockStatsFlags(disk.device)
                        result.readTotalTimes = flags.uint64("rd_total_times")
                        result.writeTotalTimes = flags.uint64("wr_total_times")
                    } catch {
                        switch error.kind {
                        case .unsupported: blockStatsFlagsUnsupported.store(true, ordering: .relaxed)
                        case .noDomain, .connection: throw error
                        case .operationInvalid: break
                        case .other: failures.append(error.description)
                        }
                    }
                }
            }
            inspection.disks.append(result)
        }

        if full {
            // Memory: bulk balloon group, else virDomainMemoryStats (needs a running domain with a
            // balloon device).
            if let memory = BulkStats.memory(bulk) {
                inspection.memory = memory
            } else if domainState != 5, let memory = try attempt({ () throws(LibvirtError) in try domain.memoryStats() }),
                      !memory.isEmpty {
                inspection.memory = memory
            }

            // vNICs.
            let bulkInterfaces = BulkStats.interfaces(bulk)
            for interface in description.interfaces {
                var result = DomainInspection.Interface(description: interface)
                var stats = bulkInterfaces?[interface.name]
                if stats == nil, domainState != 5 {
                    stats = try attempt { () throws(LibvirtError) in try domain.interfaceStats(interface.name) }
                }
                if let stats {
                    result.stats = stats
                    let (rx, tx) = delta(key: uuid + "/" + interface.name, rx: stats.rxBytes, tx: stats.txBytes)
                    result.rxBytesDelta = rx
                    result.txBytesDelta = tx
                }
                inspection.interfaces.append(result)
            }

            // Perf events: bulk perf group, else the enabled events through a one-domain stats call.
            var perf = BulkStats.perf(bulk)
            if perf.isEmpty, domainState != 5,
               let events = try attempt({ () throws(LibvirtError) in try domain.perfEvents() }),
               events.values.values.contains(.bool(true)),
               let stats = try attempt({ () throws(LibvirtError) in try domain.stats(groups: BulkStats.perfGroup) }) {
                perf = BulkStats.perf(stats)
            }
            inspection.perf = perf
        } else {
            inspection.interfaces = description.interfaces.map { DomainInspection.Interface(description: $0) }
        }
        inspection.failures = failures
        if !failures.isEmpty {
            logger.debug("libvirt calls failed", metadata: ["instance.id": "\(uuid)", "errors": "\(failures)"])
        }
        return inspection
    }

    /// The change of a tap's byte counters since its previous inspection: 0 the first time, the
    /// current value when a counter went backwards (Ceilometer's libvirt inspector).
    func delta(key: String, rx: Int64, tx: Int64) -> (Int64, Int64) {
        previousInterfaceBytes.withLock { previous in
            defer { previous[key] = (rx, tx) }
            guard let last = previous[key] else { return (0, 0) }
            let rxDelta = rx - last.rx
            let txDelta = tx - last.tx
            return (rxDelta < 0 ? rx : rxDelta, txDelta < 0 ? tx : txDelta)
        }
    }
}
