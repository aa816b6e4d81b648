import Foundation

/// Filters, order and page of `Indexer.listMetrics`; every filter is optional and they combine with AND.
public struct MetricQuery: Sendable {
    /// Only these ids (an empty list matches nothing).
    public var ids: [UUID]?
    /// Only metrics with one of these names (an empty list matches nothing).
    public var names: [String]?
    /// Only metrics of this creator.
    public var creator: String?
    /// Only metrics with this unit.
    public var unit: String?
    /// Only metrics of this archive policy.
    public var archivePolicyName: String?
    /// Only metrics attached to this resource.
    public var resourceId: UUID?
    /// Only metrics in this status; nil for any status.
    public var status: MetricStatus?
    /// Sort keys (column names: `id`, `name`, `unit`, `archive_policy_name`, `creator`, `resource_id`, `status`,
    /// `needs_raw_data_truncation`, `last_measure_timestamp`); `id` ascending is appended when absent.
    /// NULL sorts before any value.
    public var sort: [(key: String, ascending: Bool)]
    /// At most this many metrics.
    public var limit: Int?
    /// Start after this metric (in the requested order); it must exist.
    public var marker: UUID?

    /// The column names accepted as sort keys.
    public static let sortKeys: Set<String> = [
        "id", "name", "unit", "archive_policy_name", "creator", "resource_id", "status",
        "needs_raw_data_truncation", "last_measure_timestamp",
    ]

    /// Creates a query; by default every active metric, by id ascending.
    public init(
        ids: [UUID]? = nil,
        names: [String]? = nil,
        creator: String? = nil,
        unit: String? = nil,
        archivePolicyName: String? = nil,
        resourceId: UUID? = nil,
        status: MetricStatus? = .active,
        sort: [(key: String, ascending: Bool)] = [(key: "id", ascending: true)],
        limit: Int? = nil,
        marker: UUID? = nil
    ) {
        self.ids = ids
        self.names = names
        self.creator = creator
        self.unit = unit
        self.archivePolicyName = archivePolicyName
        self.resourceId = resourceId
        self.status = status
        self.sort = sort
        self.limit = limit
        self.marker = marker
    }
}
