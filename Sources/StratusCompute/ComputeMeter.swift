import StratusCore
import StratusPolling

/// One compute meter: its name, type and unit, and how its value is read from a domain's
/// inspection (or from the flavor, for the size meters that need no libvirt call).
public struct ComputeMeter: Sendable {
    /// Where the meter's values come from, and so what its resources are.
    public enum Source: Sendable {
        /// One sample per instance (resource id: the instance UUID); the value and extra
        /// metadata, or nil when libvirt did not report it.
        case instance(@Sendable (DomainInspection) -> (TelemetryValue, [String: TelemetryValue])?)
        /// One sample per disk (resource id `<uuid>-<dev>`).
        case disk(@Sendable (DomainInspection.Disk) -> TelemetryValue?)
        /// One sample per vNIC (resource id: the filterref, else `<domain name>-<uuid>-<tap>`).
        case interface(@Sendable (DomainInspection.Interface) -> TelemetryValue?)
        /// One sample per instance computed from the flavor, without libvirt.
        case flavor(@Sendable (InstanceDescription) -> TelemetryValue?)
        /// A meter the libvirt inspector cannot provide: a permanent error, so the agent stops
        /// asking (Ceilometer's `*.rate` vNIC meters).
        case unavailable(reason: String)
    }

    /// The meter name.
    public var name: String
    /// gauge, cumulative or delta.
    public var type: SampleType
    /// The unit (empty for unit-less meters).
    public var unit: String
    /// Whether a shut-off instance gets this meter when `report_stopped_instance_metrics` is off.
    public var reportedWhenStopped: Bool
    /// Where the values come from.
    public var source: Source

    /// Creates a meter.
    public init(_ name: String, _ type: SampleType, _ unit: String, reportedWhenStopped: Bool = false, _ source: Source) {
        self.name = name
        self.type = type
        self.unit = unit
        self.reportedWhenStopped = reportedWhenStopped
        self.source = source
    }
}
