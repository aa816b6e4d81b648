import Foundation

/// Whether a metric is live or waiting for the janitor to delete its data.
public enum MetricStatus: String, Sendable, Hashable, CaseIterable {
    /// The metric accepts measures and is listed.
    case active
    /// The metric was deleted through the API; its storage is removed by the janitor, then the row.
    case delete
}

/// A metric as the index stores it (Gnocchi's `metric` table).
public struct Metric: Sendable, Hashable {
    /// The metric's id, chosen by the caller.
    public var id: UUID
    /// The metric's name, unique per resource; nil for a metric not attached to a resource.
    public var name: String?
    /// Unit of the measures, free text.
    public var unit: String?
    /// The archive policy, immutable once created.
    public var archivePolicyName: String
    /// Who created it, Gnocchi's `user_id:project_id` string.
    public var creator: String
    /// The resource the metric belongs to, if any.
    public var resourceId: UUID?
    /// Live or marked for deletion.
    public var status: MetricStatus
    /// Whether the raw series must be trimmed because the policy's back window was lowered.
    public var needsRawDataTruncation: Bool
    /// When the last measures were processed for it, in nanoseconds since the epoch.
    public var lastMeasureTimestamp: Int64?

    /// Creates a metric value; new metrics are active.
    public init(
        id: UUID,
        name: String? = nil,
        unit: String? = nil,
        archivePolicyName: String,
        creator: String,
        resourceId: UUID? = nil,
        status: MetricStatus = .active,
        needsRawDataTruncation: Bool = false,
        lastMeasureTimestamp: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.unit = unit
        self.archivePolicyName = archivePolicyName
        self.creator = creator
        self.resourceId = resourceId
        self.status = status
        self.needsRawDataTruncation = needsRawDataTruncation
        self.lastMeasureTimestamp = lastMeasureTimestamp
    }
}
