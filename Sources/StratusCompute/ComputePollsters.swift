import Logging
import StratusCore
import StratusPolling

/// The libvirt compute meters of reference B4 and their registrations: one line of the agent's
/// catalog (`ComputePollsters.registrations`) registers every compute pollster and the
/// `local_instances` discoverer in the `compute` namespace.
public enum ComputePollsters {
    /// The key of the inspector shared by every compute pollster and the discoverer.
    public static let inspectorKey = "compute.libvirt.inspector"

    /// Every compute meter, in the order of reference B4.
    public static let meters: [ComputeMeter] = instanceMeters + diskMeters + networkMeters + flavorMeters

    /// The registrations of the compute pollsters and of `local_instances`.
    public static var registrations: PollingRegistrations {
        let namespaces: Set<String> = [PollingNamespace.compute]
        return PollingRegistrations(
            pollsters: meters.map { meter in
                PollsterRegistration(meter.name, namespaces: namespaces) { environment in
                    ComputePollster(meter: meter, inspector: try inspector(environment))
                }
            },
            discoverers: [
                DiscovererRegistration(LocalInstancesDiscoverer.name, namespaces: namespaces) { environment in
                    LocalInstancesDiscoverer(inspector: try inspector(environment), hostName: environment.hostName)
                },
            ])
    }

    /// The inspector shared by every compute plug-in of an agent, opened from `[compute]`.
    /// - Throws: `ConfigurationError` for an invalid `[compute]` section. An unreachable
    ///   hypervisor is not an error here: the connection is retried, with backoff, on use.
    public static func inspector(_ environment: PollingEnvironment) throws -> LibvirtInspector {
        try environment.shared(inspectorKey) {
            let configuration = try ComputeConfiguration(environment.configuration.section("compute"))
            var logger = environment.logger
            logger[metadataKey: "libvirt.uri"] = "\(configuration.libvirtURI)"
            let connection = LibvirtConnection(
                connectingLaterIfNeeded: configuration.libvirtURI,
                backoff: ReconnectBackoff(
                    initialDelay: Double(configuration.reconnectInitialDelay) / 1e9,
                    maximumDelay: Double(configuration.reconnectMaxDelay) / 1e9),
                logger: logger)
            return LibvirtInspector(
                connection: connection, reportStoppedInstanceMetrics: configuration.reportStoppedInstanceMetrics,
                logger: logger)
        }
    }

    // MARK: - Meters

    private static func mebibytes(_ kibibytes: UInt64?) -> TelemetryValue? {
        kibibytes.map { .double(Double($0) / 1024) }
    }

    private static func counter(_ value: Int64) -> TelemetryValue? {
        value >= 0 ? .int(value) : nil
    }

    private static func unsigned(_ value: UInt64?) -> TelemetryValue? {
        guard let value, value <= UInt64(Int64.max) else { return nil }
        return .int(Int64(value))
    }

    static let instanceMeters: [ComputeMeter] = [
        ComputeMeter("cpu", .cumulative, "ns", .instance { inspection in
            guard let time = unsigned(inspection.cpuTime) else { return nil }
            return (time, ["cpu_number": inspection.vcpus.map { TelemetryValue($0) } ?? .null])
        }),
        ComputeMeter("vcpus", .gauge, "vcpu", reportedWhenStopped: true, .instance { inspection in
            inspection.vcpus.map { (TelemetryValue($0), [:]) }
        }),
        ComputeMeter("power.state", .gauge, "", reportedWhenStopped: true, .instance { inspection in
            (TelemetryValue(inspection.state), [:])
        }),
        ComputeMeter("memory", .gauge, "MiB", reportedWhenStopped: true, .instance { inspection in
            if let actual = mebibytes(inspection.memory?.actualBalloon) { return (actual, [:]) }
            // A shut-off domain has no balloon statistics: its configured current memory.
            guard inspection.isShutOff, let current = mebibytes(inspection.currentMemoryKiB) else { return nil }
            return (current, [:])
        }),
        ComputeMeter("memory.available", .gauge, "MiB", .instance { inspection in
            mebibytes(inspection.memory?.available).map { ($0, [:]) }
        }),
        ComputeMeter("memory.usage", .gauge, "MiB", .instance { inspection in
            guard let memory = inspection.memory, let available = memory.available else { return nil }
            guard let free = memory.usable ?? memory.unused else { return nil }
            return (.double((Double(available) - Double(free)) / 1024), [:])
        }),
        ComputeMeter("memory.resident", .gauge, "MiB", .instance { inspection in
            mebibytes(inspection.memory?.rss).map { ($0, [:]) }
        }),
        ComputeMeter("memory.swap.in", .cumulative, "MiB", .instance { inspection in
            mebibytes(inspection.memory?.swapIn).map { ($0, [:]) }
        }),
        ComputeMeter("memory.swap.out", .cumulative, "MiB", .instance { inspection in
            mebibytes(inspection.memory?.swapOut).map { ($0, [:]) }
        }),
        perfMeter("perf.cpu.cycles", event: "cpu_cycles"),
        perfMeter("perf.instructions", event: "instructions"),
        perfMeter("perf.cache.references", event: "cache_references"),
        perfMeter("perf.cache.misses", event: "cache_misses"),
    ]

    private static func perfMeter(_ name: String, event: String) -> ComputeMeter {
        ComputeMeter(name, .gauge, "", .instance { inspection in
            unsigned(inspection.perf[event]).map { ($0, [:]) }
        })
    }

    static let diskMeters: [ComputeMeter] = [
        ComputeMeter("disk.device.read.requests", .cumulative, "request", .disk { disk in
            disk.stats.flatMap { counter($0.readRequests) }
        }),
        ComputeMeter("disk.device.write.requests", .cumulative, "request", .disk { disk in
            disk.stats.flatMap { counter($0.writeRequests) }
        }),
        ComputeMeter("disk.device.read.bytes", .cumulative, "B", .disk { disk in
            disk.stats.flatMap { counter($0.readBytes) }
        }),
        ComputeMeter("disk.device.write.bytes", .cumulative, "B", .disk { disk in
            disk.stats.flatMap { counter($0.writeBytes) }
        }),
        ComputeMeter("disk.device.read.latency", .cumulative, "ns", .disk { disk in unsigned(disk.readTotalTimes) }),
        ComputeMeter("disk.device.write.latency", .cumulative, "ns", .disk { disk in unsigned(disk.writeTotalTimes) }),
        ComputeMeter("disk.device.capacity", .gauge, "B", reportedWhenStopped: true, .disk { disk in
            disk.info.flatMap { unsigned(max($0.capacity, $0.physical)) }
        }),
        ComputeMeter("disk.device.allocation", .gauge, "B", .disk { disk in disk.info.flatMap { unsigned($0.allocation) } }),
        ComputeMeter("disk.device.usage", .gauge, "B", reportedWhenStopped: true, .disk { disk in
            disk.info.flatMap { unsigned($0.physical) }
        }),
    ]

    static let networkMeters: [ComputeMeter] = [
        ComputeMeter("network.incoming.bytes", .cumulative, "B", .interface { $0.stats.flatMap { counter($0.rxBytes) } }),
        ComputeMeter("network.incoming.packets", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.rxPackets) } }),
        ComputeMeter("network.incoming.packets.drop", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.rxDrop) } }),
        ComputeMeter("network.incoming.packets.error", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.rxErrors) } }),
        ComputeMeter("network.outgoing.bytes", .cumulative, "B", .interface { $0.stats.flatMap { counter($0.txBytes) } }),
        ComputeMeter("network.outgoing.packets", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.txPackets) } }),
        ComputeMeter("network.outgoing.packets.drop", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.txDrop) } }),
        ComputeMeter("network.outgoing.packets.error", .cumulative, "packet", .interface { $0.stats.flatMap { counter($0.txErrors) } }),
        ComputeMeter("network.incoming.bytes.delta", .delta, "B", .interface { $0.rxBytesDelta.map { .int($0) } }),
        ComputeMeter("network.outgoing.bytes.delta", .delta, "B", .interface { $0.txBytesDelta.map { .int($0) } }),
        ComputeMeter("network.incoming.bytes.rate", .gauge, "B/s", .unavailable(
            reason: "network.incoming.bytes.rate needs vNIC rates, which the libvirt inspector does not provide")),
        ComputeMeter("network.outgoing.bytes.rate", .gauge, "B/s", .unavailable(
            reason: "network.outgoing.bytes.rate needs vNIC rates, which the libvirt inspector does not provide")),
    ]

    static let flavorMeters: [ComputeMeter] = [
        ComputeMeter("disk.root.size", .gauge, "GiB", .flavor { instance in
            guard let disk = instance.flavor["disk"]?.doubleValue, let ephemeral = instance.flavor["ephemeral"]?.doubleValue
            else { return nil }
            return .int(Int64(disk) - Int64(ephemeral))
        }),
        ComputeMeter("disk.ephemeral.size", .gauge, "GiB", .flavor { instance in
            instance.flavor["ephemeral"]?.doubleValue.map { .int(Int64($0)) }
        }),
    ]
}
