import Logging
import StratusCore
import StratusPolling

/// `local_instances`: the libvirt domains of this host as instance resources, described from the
/// nova metadata element of their XML (name, flavor, owner, image) or, for domains nova did not
/// create, from the domain itself (name, UUID, vCPUs, memory).
///
/// One `virConnectGetAllDomainStats` (shared with the pollsters through the cycle cache) gives
/// every state; one `virDomainGetXMLDesc` per domain gives the rest, and its parsed form is left in
/// the cycle cache for the inspector. A domain that vanishes while being read is skipped.
public struct LocalInstancesDiscoverer: Discoverer {
    /// The discovery name in `polling.yaml`.
    public static let name = "local_instances"

    let inspector: LibvirtInspector
    let hostName: String

    /// Creates the discoverer.
    public init(inspector: LibvirtInspector, hostName: String) {
        self.inspector = inspector
        self.hostName = hostName
    }

    public func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        let bulk = try await inspector.bulkStats(cache: context.cache)
        let domains = try inspector.connection.listAllDomains()
        var resources = [PollingResource]()
        resources.reserveCapacity(domains.count)
        for domain in domains {
            let uuid = domain.uuid
            do throws(LibvirtError) {
                let xml = try domain.xmlDescription()
                let parsed = Result { () throws(XMLReadError) in try DomainDescription(xml: xml) }
                guard case .success(let description) = parsed else {
                    context.logger.info(
                        "skipping domain with unreadable XML", metadata: ["instance.id": "\(uuid)", "error": "\(parsed)"])
                    continue
                }
                let state: Int
                var info: DomainInfo?
                if let bulkState = bulk[uuid].flatMap(BulkStats.state) {
                    state = bulkState
                } else {
                    let fetched = try domain.info()
                    info = fetched
                    state = fetched.state
                }
                if description.nova == nil, info == nil { info = try domain.info() }
                context.cache.set(LibvirtInspector.descriptionKeyPrefix + uuid, description)
                let instance = Self.instance(
                    uuid: uuid, domainName: description.name ?? domain.name, description: description, state: state,
                    info: info, host: hostName)
                resources.append(.instance(instance, host: hostName))
            } catch {
                if error.kind == .noDomain {
                    context.logger.debug("domain vanished during discovery", metadata: ["instance.id": "\(uuid)"])
                    continue
                }
                throw error
            }
        }
        return resources
    }

    /// Ceilometer's `LIBVIRT_STATUS`: the nova status guessed from the libvirt state.
    public static func status(_ state: Int) -> String? {
        switch state {
        case 0: "building"
        case 1, 2: "active"
        case 3: "paused"
        case 4, 5: "stopped"
        case 6: "error"
        case 7: "suspended"
        default: nil
        }
    }

    /// Ceilometer's `LIBVIRT_POWER_STATE`: the `OS-EXT-STS:vm_state` reported as `state`.
    public static func vmState(_ state: Int) -> String? {
        switch state {
        case 0: "pending"
        case 1, 2: "running"
        case 3: "paused"
        case 4, 5: "shutdown"
        case 6: "crashed"
        case 7: "suspended"
        default: nil
        }
    }

    /// The instance description of a domain.
    static func instance(
        uuid: String, domainName: String, description: DomainDescription, state: Int, info: DomainInfo?, host: String
    ) -> InstanceDescription {
        let nova = description.nova
        var flavor = [String: TelemetryValue]()
        if let novaFlavor = nova?.flavor {
            flavor["id"] = TelemetryValue(novaFlavor.id)
            flavor["name"] = TelemetryValue(novaFlavor.name)
            flavor["vcpus"] = novaFlavor.vcpus.map { TelemetryValue($0) } ?? .null
            flavor["ram"] = novaFlavor.memory.map { TelemetryValue($0) } ?? .null
            flavor["disk"] = novaFlavor.disk.map { TelemetryValue($0) } ?? .null
            flavor["ephemeral"] = novaFlavor.ephemeral.map { TelemetryValue($0) } ?? .null
            flavor["swap"] = novaFlavor.swap.map { TelemetryValue($0) } ?? .null
        } else {
            // No nova metadata: the domain's own size, no disk figures.
            flavor["id"] = .null
            flavor["name"] = .null
            flavor["vcpus"] = info.map { TelemetryValue($0.vcpuCount) } ?? .null
            flavor["ram"] = info.map { TelemetryValue(Int($0.maxMemoryKiB / 1024)) } ?? .null
            flavor["disk"] = 0
            flavor["ephemeral"] = 0
            flavor["swap"] = 0
        }
        var extra: [String: TelemetryValue] = [
            "vm_state": TelemetryValue(vmState(state)),
            "host_id": .string(SHA224.hexDigest((nova?.projectID ?? "") + host)),
        ]
        if let osType = description.osType { extra["os_type"] = .string(osType) }
        if let architecture = description.architecture { extra["architecture"] = .string(architecture) }
        if let name = nova?.userName { extra["user_name"] = .string(name) }
        if let name = nova?.projectName { extra["project_name"] = .string(name) }
        return InstanceDescription(
            id: uuid, domainName: domainName, displayName: nova?.name ?? domainName, host: host,
            userID: nova?.userID, projectID: nova?.projectID, flavor: flavor,
            image: nova?.imageID.map { ["id": .string($0)] }, status: status(state), state: state, extra: extra)
    }
}
