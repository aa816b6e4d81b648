import StratusCore
import StratusPolling

/// The pollster of one compute meter: reads each instance's cycle-cached
/// ``DomainInspection`` and turns the meter's values into samples with Ceilometer's resource ids
/// and metadata.
public struct ComputePollster: Pollster {
    /// The meter.
    public let meter: ComputeMeter
    let inspector: LibvirtInspector

    /// Creates the pollster.
    public init(meter: ComputeMeter, inspector: LibvirtInspector) {
        self.meter = meter
        self.inspector = inspector
    }

    public var meterName: String { meter.name }

    public var defaultDiscovery: String? { LocalInstancesDiscoverer.name }

    public func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
        let instances = resources.compactMap(\.instance)
        if case .unavailable(let reason) = meter.source {
            throw PollsterPermanentError(resources: resources, reason: reason)
        }
        var samples = [Sample]()
        for instance in instances {
            let shutOff: Bool
            let inspection: DomainInspection?
            if case .flavor = meter.source {
                inspection = nil
                shutOff = instance.state == 5
            } else {
                let outcome: LibvirtInspector.Outcome
                do {
                    outcome = try await inspector.inspection(uuid: instance.id, cache: context.cache)
                } catch let error as LibvirtError where error.kind != .connection {
                    // One domain libvirt cannot describe: skip it, poll the others.
                    context.logger.info("cannot inspect instance", metadata: [
                        "instance.id": "\(instance.id)", "meter": "\(meter.name)", "error": "\(error)",
                    ])
                    continue
                }
                switch outcome {
                case .vanished:
                    context.logger.debug("instance vanished", metadata: ["instance.id": "\(instance.id)", "meter": "\(meter.name)"])
                    continue
                case .found(let found):
                    inspection = found
                    shutOff = found.isShutOff
                }
            }
            if shutOff && !meter.reportedWhenStopped && !inspector.reportStoppedInstanceMetrics { continue }
            let metadata = Self.metadata(instance, cache: context.cache)
            func sample(_ volume: TelemetryValue, resourceID: String, extra: [String: TelemetryValue]) -> Sample {
                var resourceMetadata = metadata
                for (key, value) in extra { resourceMetadata[key] = value }
                return Sample(
                    name: meter.name, type: meter.type, unit: meter.unit, volume: volume, userID: instance.userID,
                    projectID: instance.projectID, resourceID: resourceID, timestamp: context.timestamp,
                    resourceMetadata: resourceMetadata, userName: instance.extra["user_name"]?.stringValue,
                    projectName: instance.extra["project_name"]?.stringValue)
            }
            switch meter.source {
            case .instance(let read):
                if let inspection, let (volume, extra) = read(inspection) {
                    samples.append(sample(volume, resourceID: instance.id, extra: extra))
                }
            case .disk(let read):
                for disk in inspection?.disks ?? [] {
                    if let volume = read(disk) {
                        samples.append(sample(volume, resourceID: "\(instance.id)-\(disk.device)", extra: ["disk_name": .string(disk.device)]))
                    }
                }
            case .interface(let read):
                for interface in inspection?.interfaces ?? [] {
                    guard let volume = read(interface) else { continue }
                    let vnic = interface.description
                    let resourceID = vnic.filterRef ?? "\(instance.domainName)-\(instance.id)-\(vnic.name)"
                    samples.append(sample(volume, resourceID: resourceID, extra: [
                        "name": .string(vnic.name),
                        "mac": .string(vnic.mac),
                        "fref": TelemetryValue(vnic.filterRef),
                        "parameters": .dictionary(vnic.parameters.mapValues { .string($0) }),
                        "vnic_name": .string(vnic.filterRef ?? vnic.name),
                    ]))
                }
            case .flavor(let read):
                if let volume = read(instance) {
                    samples.append(sample(volume, resourceID: instance.id, extra: [:]))
                }
            case .unavailable:
                break
            }
        }
        return samples
    }

    /// The instance's sample metadata, built once per cycle and shared by every compute pollster.
    static func metadata(_ instance: InstanceDescription, cache: PollingCache) -> [String: TelemetryValue] {
        let key = "compute.metadata." + instance.id
        if let cached: [String: TelemetryValue] = cache.value(key) { return cached }
        let built = InstanceMetadata.metadata(instance)
        cache.set(key, built)
        return built
    }
}
