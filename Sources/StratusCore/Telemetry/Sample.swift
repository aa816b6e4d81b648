/// The kind of a meter, as Ceilometer's `sample.TYPE_*`.
public enum SampleType: String, Sendable, Hashable, CaseIterable, Codable {
    /// A value at a point in time (memory in use, number of vCPUs).
    case gauge
    /// A change since the previous sample.
    case delta
    /// A counter that only grows (CPU time, bytes read).
    case cumulative
}

/// One measurement of a meter for a resource: Ceilometer's `sample.Sample` (reference B6).
public struct Sample: Sendable, Hashable {
    /// The meter name, such as `cpu` or `hardware.memory.used`.
    public var name: String
    /// gauge, delta or cumulative.
    public var type: SampleType
    /// The unit, such as `ns`, `B`, `MiB`, `%` (empty for unit-less meters).
    public var unit: String
    /// The measured value, normally `.int` or `.double`; `.null` samples are dropped by pipelines.
    public var volume: TelemetryValue
    /// The user owning the resource, if any.
    public var userID: String?
    /// The project owning the resource, if any.
    public var projectID: String?
    /// The resource measured (instance UUID, `<uuid>-<dev>`, host name…).
    public var resourceID: String
    /// When the value was measured: UTC ISO 8601 without offset, as Python's
    /// `datetime.utcnow().isoformat()` (`2026-11-25T14:40:11.123456`). Polling agents replace it
    /// with the poll's timestamp.
    public var timestamp: String?
    /// Resource metadata (`display_name`, `host`, `flavor`…).
    public var resourceMetadata: [String: TelemetryValue]
    /// Where the sample comes from (default `openstack`).
    public var source: String
    /// The sample id (a UUID, `message_id` in meter messages).
    public var id: String
    /// A monotonic clock reading in seconds, when the pollster has one.
    public var monotonicTime: Double?
    /// The user name, when identity name discovery is on.
    public var userName: String?
    /// The project name, when identity name discovery is on.
    public var projectName: String?

    /// The default `source`.
    public static let defaultSource = "openstack"

    /// Creates a sample; `id` defaults to a new version-1 UUID (``SampleIdentifier``), as Ceilometer.
    public init(
        name: String, type: SampleType, unit: String, volume: TelemetryValue,
        userID: String? = nil, projectID: String? = nil, resourceID: String,
        timestamp: String? = nil, resourceMetadata: [String: TelemetryValue] = [:],
        source: String = Sample.defaultSource, id: String = SampleIdentifier.next(),
        monotonicTime: Double? = nil, userName: String? = nil, projectName: String? = nil
    ) {
        self.name = name
        self.type = type
        self.unit = unit
        self.volume = volume
        self.userID = userID
        self.projectID = projectID
        self.resourceID = resourceID
        self.timestamp = timestamp
        self.resourceMetadata = resourceMetadata
        self.source = source
        self.id = id
        self.monotonicTime = monotonicTime
        self.userName = userName
        self.projectName = projectName
    }
}
