import StratusCore

/// Ceilometer's ipmi sensor meters (`ceilometer.poll.ipmi`): `hardware.ipmi.temperature` (C),
/// `hardware.ipmi.fan` (RPM), `hardware.ipmi.voltage` (V), `hardware.ipmi.current` (W, or A for
/// current sensors), gauges read from the kernel's hwmon sensors, one resource per sensor:
/// `<host>-<sensor id>` with the id lower-cased and spaces replaced by `_` (Ceilometer's
/// `transform_id`), metadata `node` = the host.
public struct IPMISensorPollster: Pollster {
    /// The discovery the pollsters use: the host the agent runs on.
    public static let discovery = "local_node"

    /// The meter kind.
    public let kind: IPMISensorReading.Kind
    let reader: IPMISensorReader

    /// Creates the pollster of one meter.
    public init(kind: IPMISensorReading.Kind, reader: IPMISensorReader = IPMISensorReader()) {
        self.kind = kind
        self.reader = reader
    }

    public var meterName: String { "hardware.ipmi.\(kind.rawValue)" }

    public var defaultDiscovery: String? { Self.discovery }

    /// One sample per sensor of the kind, for the host resource(s) given (the sensors are the
    /// agent's own host's, whichever host resource is passed). No sensors, no samples.
    public func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
        guard !resources.isEmpty else { return [] }
        let host = context.environment.hostName
        let readings = await context.cache.value("ipmi.hwmon.\(reader.root)") { reader.readAll() }
        return readings.filter { $0.kind == kind }.map { reading in
            var metadata: [String: TelemetryValue] = ["node": .string(host), "chip": .string(reading.chip)]
            if let label = reading.label { metadata["label"] = .string(label) }
            return Sample(
                name: meterName, type: .gauge, unit: reading.unit, volume: .double(reading.value),
                resourceID: "\(host)-\(Self.transformID(reading.sensorID))", timestamp: context.timestamp,
                resourceMetadata: metadata)
        }
    }

    /// Ceilometer's `transform_id`: lower case, spaces to `_`.
    static func transformID(_ sensorID: String) -> String {
        sensorID.lowercased().replacingSpaces()
    }
}

/// The ipmi namespace's registrations: the four sensor pollsters, and a `local_node` discoverer
/// for agents started with the ipmi namespace alone.
public enum IPMIPollsters {
    /// The registrations, reading `/sys/class/hwmon`.
    public static var registrations: PollingRegistrations { registrations(reader: IPMISensorReader()) }

    /// The registrations, reading `reader`'s tree.
    public static func registrations(reader: IPMISensorReader) -> PollingRegistrations {
        PollingRegistrations(
            pollsters: IPMISensorReading.Kind.allCases.map { kind in
                PollsterRegistration(IPMISensorPollster(kind: kind, reader: reader), namespaces: [PollingNamespace.ipmi])
            },
            discoverers: [
                DiscovererRegistration(IPMISensorPollster.discovery, namespaces: [PollingNamespace.ipmi]) { environment in
                    IPMILocalNodeDiscoverer(hostName: environment.hostName)
                },
            ])
    }
}

/// `local_node` for the ipmi namespace: the host the agent runs on.
struct IPMILocalNodeDiscoverer: Discoverer {
    let hostName: String

    func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        [.host(hostName)]
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}
