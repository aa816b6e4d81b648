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
///
/// A value type with its fields in one copy-on-write box: a sample is copied many times on its
/// way through a pipeline (batches merged, routed to sinks, handed to publishers), and copying the
/// box is one reference count instead of one per string and dictionary field.
public struct Sample: Sendable, Hashable {
    /// The fields. Mutated only through `unique()`, that is when no other `Sample` shares the
    /// box, so a box visible to several threads is never written: that makes it safe to send.
    final class Storage: @unchecked Sendable {
        var name: String
        var type: SampleType
        var unit: String
        var volume: TelemetryValue
        var userID: String?
        var projectID: String?
        var resourceID: String
        var timestamp: String?
        var resourceMetadata: [String: TelemetryValue]
        var source: String
        var id: String
        var monotonicTime: Double?
        var userName: String?
        var projectName: String?

        init(
            name: String, type: SampleType, unit: String, volume: TelemetryValue, userID: String?, projectID: String?,
            resourceID: String, timestamp: String?, resourceMetadata: [String: TelemetryValue], source: String, id: String,
            monotonicTime: Double?, userName: String?, projectName: String?
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

        func copy() -> Storage {
            Storage(
                name: name, type: type, unit: unit, volume: volume, userID: userID, projectID: projectID, resourceID: resourceID,
                timestamp: timestamp, resourceMetadata: resourceMetadata, source: source, id: id, monotonicTime: monotonicTime,
                userName: userName, projectName: projectName)
        }
    }

    private var storage: Storage

    /// The box, copied first when another sample shares it.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The meter name, such as `cpu` or `hardware.memory.used`.
    public var name: String {
        get { storage.name }
        _modify { yield &unique().name }
        set { unique().name = newValue }
    }
    /// gauge, delta or cumulative.
    public var type: SampleType {
        get { storage.type }
        _modify { yield &unique().type }
        set { unique().type = newValue }
    }
    /// The unit, such as `ns`, `B`, `MiB`, `%` (empty for unit-less meters).
    public var unit: String {
        get { storage.unit }
        _modify { yield &unique().unit }
        set { unique().unit = newValue }
    }
    /// The measured value, normally `.int` or `.double`; `.null` samples are dropped by pipelines.
    public var volume: TelemetryValue {
        get { storage.volume }
        _modify { yield &unique().volume }
        set { unique().volume = newValue }
    }
    /// The user owning the resource, if any.
    public var userID: String? {
        get { storage.userID }
        _modify { yield &unique().userID }
        set { unique().userID = newValue }
    }
    /// The project owning the resource, if any.
    public var projectID: String? {
        get { storage.projectID }
        _modify { yield &unique().projectID }
        set { unique().projectID = newValue }
    }
    /// The resource measured (instance UUID, `<uuid>-<dev>`, host name…).
    public var resourceID: String {
        get { storage.resourceID }
        _modify { yield &unique().resourceID }
        set { unique().resourceID = newValue }
    }
    /// When the value was measured: UTC ISO 8601 without offset, as Python's
    /// `datetime.utcnow().isoformat()` (`2026-11-25T14:40:11.123456`). Polling agents replace it
    /// with the poll's timestamp.
    public var timestamp: String? {
        get { storage.timestamp }
        _modify { yield &unique().timestamp }
        set { unique().timestamp = newValue }
    }
    /// Resource metadata (`display_name`, `host`, `flavor`…).
    public var resourceMetadata: [String: TelemetryValue] {
        get { storage.resourceMetadata }
        _modify { yield &unique().resourceMetadata }
        set { unique().resourceMetadata = newValue }
    }
    /// Where the sample comes from (default `openstack`).
    public var source: String {
        get { storage.source }
        _modify { yield &unique().source }
        set { unique().source = newValue }
    }
    /// The sample id (a UUID, `message_id` in meter messages).
    public var id: String {
        get { storage.id }
        _modify { yield &unique().id }
        set { unique().id = newValue }
    }
    /// A monotonic clock reading in seconds, when the pollster has one.
    public var monotonicTime: Double? {
        get { storage.monotonicTime }
        _modify { yield &unique().monotonicTime }
        set { unique().monotonicTime = newValue }
    }
    /// The user name, when identity name discovery is on.
    public var userName: String? {
        get { storage.userName }
        _modify { yield &unique().userName }
        set { unique().userName = newValue }
    }
    /// The project name, when identity name discovery is on.
    public var projectName: String? {
        get { storage.projectName }
        _modify { yield &unique().projectName }
        set { unique().projectName = newValue }
    }

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
        storage = Storage(
            name: name, type: type, unit: unit, volume: volume, userID: userID, projectID: projectID, resourceID: resourceID,
            timestamp: timestamp, resourceMetadata: resourceMetadata, source: source, id: id, monotonicTime: monotonicTime,
            userName: userName, projectName: projectName)
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        if lhs.storage === rhs.storage { return true }
        let a = lhs.storage, b = rhs.storage
        return a.name == b.name
            && a.type == b.type
            && a.unit == b.unit
            && a.volume == b.volume
            && a.userID == b.userID
            && a.projectID == b.projectID
            && a.resourceID == b.resourceID
            && a.timestamp == b.timestamp
            && a.resourceMetadata == b.resourceMetadata
            && a.source == b.source
            && a.id == b.id
            && a.monotonicTime == b.monotonicTime
            && a.userName == b.userName
            && a.projectName == b.projectName
    }

    public func hash(into hasher: inout Hasher) {
        let fields = storage
        hasher.combine(fields.name)
        hasher.combine(fields.type)
        hasher.combine(fields.unit)
        hasher.combine(fields.volume)
        hasher.combine(fields.userID)
        hasher.combine(fields.projectID)
        hasher.combine(fields.resourceID)
        hasher.combine(fields.timestamp)
        hasher.combine(fields.resourceMetadata)
        hasher.combine(fields.source)
        hasher.combine(fields.id)
        hasher.combine(fields.monotonicTime)
        hasher.combine(fields.userName)
        hasher.combine(fields.projectName)
    }
}
