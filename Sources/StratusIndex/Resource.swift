import Foundation

/// A resource, or one past revision of it, as the index stores it (Gnocchi's `resource` / `resource_history`
/// rows joined with the type's own table).
public struct Resource: Sendable, Hashable {
    /// The resource id (a UUID, possibly derived from `originalResourceId`).
    public var id: UUID
    /// The resource type's name.
    public var type: String
    /// The id as the creator gave it.
    public var originalResourceId: String
    /// Who created it (`user:project` in keystone mode).
    public var creator: String?
    /// Nanoseconds since the epoch (microsecond precision, as Gnocchi stores it).
    public var startedAt: Int64
    public var endedAt: Int64?
    public var userId: String?
    public var projectId: String?
    /// -1 for the current revision; the history row's number otherwise.
    public var revision: Int64
    /// When this revision started.
    public var revisionStart: Int64
    /// When this revision ended; nil for the current one.
    public var revisionEnd: Int64?
    /// The type's attributes (every attribute of the type, `.null` when unset); empty for `generic` rows
    /// listed without details.
    public var attributes: [String: ResourceAttributeValue]
    /// The active metrics attached, by name.
    public var metrics: [String: UUID]

    public init(
        id: UUID, type: String, originalResourceId: String, creator: String?, startedAt: Int64, endedAt: Int64? = nil,
        userId: String? = nil, projectId: String? = nil, revision: Int64 = -1, revisionStart: Int64,
        revisionEnd: Int64? = nil, attributes: [String: ResourceAttributeValue] = [:], metrics: [String: UUID] = [:]
    ) {
        self.id = id
        self.type = type
        self.originalResourceId = originalResourceId
        self.creator = creator
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.userId = userId
        self.projectId = projectId
        self.revision = revision
        self.revisionStart = revisionStart
        self.revisionEnd = revisionEnd
        self.attributes = attributes
        self.metrics = metrics
    }

    /// The columns every resource has, in the order of `listResources` rows; with the type's attribute names
    /// these are the names a filter, a sort or `attrs` may use.
    public static let genericColumns: [String] = [
        "id", "type", "creator", "started_at", "revision_start", "ended_at", "user_id", "project_id",
        "original_resource_id", "revision", "revision_end",
    ]
}

/// A metric named in a resource's `metrics`: an existing metric by id, or one to create.
public enum ResourceMetricSpec: Sendable, Hashable {
    /// An existing active metric of the same creator, attached (and renamed) to the resource.
    case existing(UUID)
    /// A new metric with this policy (the API resolved rules already) and unit.
    case create(archivePolicyName: String, unit: String?)
}

/// What `Indexer.createResource` stores.
public struct ResourceCreation: Sendable, Hashable {
    public var id: UUID
    public var type: String
    /// Defaults to the id's text when nil.
    public var originalResourceId: String?
    public var creator: String
    /// Defaults to now.
    public var startedAt: Int64?
    public var endedAt: Int64?
    public var userId: String?
    public var projectId: String?
    /// Values of the type's attributes; absent ones are stored as NULL.
    public var attributes: [String: ResourceAttributeValue]
    /// Metrics to attach or create.
    public var metrics: [String: ResourceMetricSpec]

    public init(
        id: UUID, type: String, originalResourceId: String? = nil, creator: String, startedAt: Int64? = nil,
        endedAt: Int64? = nil, userId: String? = nil, projectId: String? = nil,
        attributes: [String: ResourceAttributeValue] = [:], metrics: [String: ResourceMetricSpec] = [:]
    ) {
        self.id = id
        self.type = type
        self.originalResourceId = originalResourceId
        self.creator = creator
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.userId = userId
        self.projectId = projectId
        self.attributes = attributes
        self.metrics = metrics
    }
}

/// The changes of `Indexer.updateResource`; nil fields are left as they are.
public struct ResourceUpdate: Sendable, Hashable {
    public var startedAt: Int64?
    /// `.some(nil)` clears `ended_at`.
    public var endedAt: Int64??
    public var userId: String??
    public var projectId: String??
    /// New values of type attributes.
    public var attributes: [String: ResourceAttributeValue]
    /// Metrics to attach or create; with `appendMetrics` false the previous ones are detached first.
    public var metrics: [String: ResourceMetricSpec]?
    /// Keep the current metrics and add these (a `POST …/metric`).
    public var appendMetrics: Bool
    /// Whether the current row is copied into the history first (Gnocchi: iff a non-metrics attribute changes).
    public var createRevision: Bool

    public init(
        startedAt: Int64? = nil, endedAt: Int64?? = nil, userId: String?? = nil, projectId: String?? = nil,
        attributes: [String: ResourceAttributeValue] = [:], metrics: [String: ResourceMetricSpec]? = nil,
        appendMetrics: Bool = false, createRevision: Bool = true
    ) {
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.userId = userId
        self.projectId = projectId
        self.attributes = attributes
        self.metrics = metrics
        self.appendMetrics = appendMetrics
        self.createRevision = createRevision
    }

    /// Gnocchi's `is_resource_revision_needed`: whether any given non-metrics field differs from `resource`.
    public func changes(_ resource: Resource) -> Bool {
        if let startedAt, startedAt != resource.startedAt { return true }
        if let endedAt, endedAt != resource.endedAt { return true }
        if let userId, userId != resource.userId { return true }
        if let projectId, projectId != resource.projectId { return true }
        return attributes.contains { resource.attributes[$0.key] != $0.value }
    }
}

/// A metric of a resource, with the resource, for the aggregates (`Indexer.resourceMetrics`).
public struct ResourceMetric: Sendable, Hashable {
    public var resource: Resource
    public var metric: Metric

    public init(resource: Resource, metric: Metric) {
        self.resource = resource
        self.metric = metric
    }
}
