import StratusCore

/// The host pollsters (namespaces `central` and `compute`) and the `local_node` discoverer:
/// Ceilometer's `hardware.*` meters, names, types and units as its meter list gives them.
public enum HostPollsters {
    /// The discovery the host pollsters use by default.
    public static let discovery = "local_node"

    /// The namespaces the host pollsters are loaded in.
    public static let namespaces: Set<String> = [PollingNamespace.central, PollingNamespace.compute]

    /// The catalog line: every host pollster and `local_node`.
    public static var registrations: PollingRegistrations {
        PollingRegistrations(
            pollsters: pollsters.map { PollsterRegistration($0, namespaces: namespaces) },
            discoverers: [
                DiscovererRegistration(discovery, namespaces: namespaces) { environment in
                    LocalNodeDiscoverer(hostName: environment.hostName)
                },
            ])
    }

    /// The reader of a host resource: its `root` attribute (a copy of `/proc` and `/sys`, for
    /// tests), else `/`.
    static func reader(for resource: PollingResource) -> HostStatsReader {
        HostStatsReader(root: resource.attributes["root"]?.stringValue ?? "/")
    }

    /// Every host pollster.
    public static let pollsters: [HostPollster] = [
        // CPU
        HostPollster(meterName: "hardware.cpu.load.1min", type: .gauge, unit: "process") { try load($0, 0) },
        HostPollster(meterName: "hardware.cpu.load.5min", type: .gauge, unit: "process") { try load($0, 1) },
        HostPollster(meterName: "hardware.cpu.load.15min", type: .gauge, unit: "process") { try load($0, 2) },
        HostPollster(meterName: "hardware.cpu.util", type: .gauge, unit: "%") { snapshot in
            [HostMeasurement(value: .double(try snapshot.cpuUsage().utilization))]
        },
        HostPollster(meterName: "hardware.system_stats.cpu.idle", type: .gauge, unit: "%") { snapshot in
            [HostMeasurement(value: .double(try snapshot.cpuUsage().idle))]
        },
        // Memory (kB, as /proc/meminfo and Ceilometer's KB)
        HostPollster(meterName: "hardware.memory.total", type: .gauge, unit: "KB") { snapshot in
            [HostMeasurement(value: .int(try snapshot.memory("MemTotal")))]
        },
        HostPollster(meterName: "hardware.memory.used", type: .gauge, unit: "KB") { snapshot in
            let total = try snapshot.memory("MemTotal")
            let available = try snapshot.meminfo["MemAvailable"] ?? snapshot.memory("MemFree")
            return [HostMeasurement(value: .int(total - available))]
        },
        HostPollster(meterName: "hardware.memory.buffer", type: .gauge, unit: "KB") { snapshot in
            [HostMeasurement(value: .int(try snapshot.memory("Buffers")))]
        },
        HostPollster(meterName: "hardware.memory.cached", type: .gauge, unit: "KB") { snapshot in
            [HostMeasurement(value: .int(try snapshot.memory("Cached")))]
        },
        HostPollster(meterName: "hardware.memory.swap.total", type: .gauge, unit: "KB") { snapshot in
            [HostMeasurement(value: .int(try snapshot.memory("SwapTotal")))]
        },
        HostPollster(meterName: "hardware.memory.swap.avail", type: .gauge, unit: "KB") { snapshot in
            [HostMeasurement(value: .int(try snapshot.memory("SwapFree")))]
        },
        // Disks
        HostPollster(meterName: "hardware.disk.size.total", type: .gauge, unit: "KB") { try fileSystems($0, used: false) },
        HostPollster(meterName: "hardware.disk.size.used", type: .gauge, unit: "KB") { try fileSystems($0, used: true) },
        HostPollster(meterName: "hardware.disk.read.bytes", type: .gauge, unit: "B") { try disks($0) { $0.sectorsRead * 512 } },
        HostPollster(meterName: "hardware.disk.write.bytes", type: .gauge, unit: "B") { try disks($0) { $0.sectorsWritten * 512 } },
        HostPollster(meterName: "hardware.disk.read.requests", type: .gauge, unit: "requests") { try disks($0) { $0.reads } },
        HostPollster(meterName: "hardware.disk.write.requests", type: .gauge, unit: "requests") { try disks($0) { $0.writes } },
        HostPollster(meterName: "hardware.system_stats.io.incoming.blocks", type: .cumulative, unit: "blocks") { snapshot in
            [HostMeasurement(value: .int(try wholeDisks(snapshot).reduce(0) { $0 + $1.sectorsRead }))]
        },
        HostPollster(meterName: "hardware.system_stats.io.outgoing.blocks", type: .cumulative, unit: "blocks") { snapshot in
            [HostMeasurement(value: .int(try wholeDisks(snapshot).reduce(0) { $0 + $1.sectorsWritten }))]
        },
        // Network
        HostPollster(meterName: "hardware.network.incoming.bytes", type: .cumulative, unit: "B") { try interfaces($0) { $0.receivedBytes } },
        HostPollster(meterName: "hardware.network.outgoing.bytes", type: .cumulative, unit: "B") { try interfaces($0) { $0.sentBytes } },
        HostPollster(meterName: "hardware.network.outgoing.errors", type: .cumulative, unit: "packet") { try interfaces($0) { $0.sendErrors } },
        HostPollster(meterName: "hardware.network.ip.incoming.datagrams", type: .cumulative, unit: "datagrams") { try ip($0, "InReceives") },
        HostPollster(meterName: "hardware.network.ip.outgoing.datagrams", type: .cumulative, unit: "datagrams") { try ip($0, "OutRequests") },
    ]

    // MARK: - Measurements

    private static func load(_ snapshot: HostSnapshot, _ index: Int) throws -> [HostMeasurement] {
        guard let loads = HostStatsReader.parseLoadavg(try snapshot.text("proc/loadavg")) else {
            throw HostStatsReader.ReadError(path: snapshot.reader.root + "proc/loadavg", reason: "unexpected format")
        }
        return [HostMeasurement(value: .double([loads.0, loads.1, loads.2][index]))]
    }

    private static func fileSystems(_ snapshot: HostSnapshot, used: Bool) throws -> [HostMeasurement] {
        let mounts = HostStatsReader.parseMounts(try snapshot.text("proc/mounts"))
        return mounts.compactMap { mount in
            // Mount points are of the agent's own root: fixtures list real paths.
            guard let usage = HostStatsReader.fileSystemUsage(path: mount.path), usage.totalKB > 0 else { return nil }
            return HostMeasurement(
                value: .int(used ? usage.usedKB : usage.totalKB), suffix: mount.path,
                metadata: ["path": .string(mount.path), "device": .string(mount.device)])
        }
    }

    private static func wholeDisks(_ snapshot: HostSnapshot) throws -> [DiskCounters] {
        let reader = snapshot.reader
        return HostStatsReader.parseDiskstats(try snapshot.text("proc/diskstats"), isWholeDisk: reader.isWholeDisk)
    }

    private static func disks(_ snapshot: HostSnapshot, _ value: (DiskCounters) -> Int64) throws -> [HostMeasurement] {
        try wholeDisks(snapshot).map { disk in
            HostMeasurement(value: .int(value(disk)), suffix: disk.name, metadata: ["device": .string(disk.name)])
        }
    }

    private static func interfaces(
        _ snapshot: HostSnapshot, _ value: (NetworkInterfaceCounters) -> Int64
    ) throws -> [HostMeasurement] {
        let reader = snapshot.reader
        return HostStatsReader.parseNetDev(try snapshot.text("proc/net/dev")).map { interface in
            var metadata: [String: TelemetryValue] = ["name": .string(interface.name)]
            if let mac = reader.macAddress(interface: interface.name) { metadata["mac"] = .string(mac) }
            if let speed = reader.speedBytesPerSecond(interface: interface.name) { metadata["speed"] = .int(speed) }
            return HostMeasurement(value: .int(value(interface)), suffix: interface.name, metadata: metadata)
        }
    }

    private static func ip(_ snapshot: HostSnapshot, _ field: String) throws -> [HostMeasurement] {
        let table = HostStatsReader.parseSNMP(try snapshot.text("proc/net/snmp"), table: "Ip")
        guard let value = table[field] else {
            throw HostStatsReader.ReadError(path: snapshot.reader.root + "proc/net/snmp", reason: "no Ip \(field)")
        }
        return [HostMeasurement(value: .int(value))]
    }
}

/// `local_node`: the host the agent runs on, as one resource.
public struct LocalNodeDiscoverer: Discoverer {
    /// The host name.
    public let hostName: String
    /// Where `/proc` and `/sys` are (`/` except in tests).
    public let root: String?

    /// Creates the discoverer.
    public init(hostName: String, root: String? = nil) {
        self.hostName = hostName
        self.root = root
    }

    public func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        [.host(hostName, attributes: root.map { ["root": .string($0)] } ?? [:])]
    }
}
