import Foundation

/// Filter, order and page of `Indexer.listResources(type:query:)` (Gnocchi's `list_resources`).
///
/// The names a filter or a sort may use are `Resource.genericColumns` plus the type's attribute names (for
/// `generic`: only the generic columns). Filters compile to SQL (`SearchSQLCompiler`); nothing is filtered in
/// memory.
public struct ResourceQuery: Sendable {
    /// Only the resources (or revisions, with `history`) matching this expression; nil for all.
    public var filter: SearchExpression?
    /// Sort keys, column or attribute names; `id` (and `revision` with `history`) ascending are appended when
    /// absent, so that the order is total. NULL sorts before any value ascending, after descending.
    public var sort: [(key: String, ascending: Bool)]
    /// At most this many resources.
    public var limit: Int?
    /// Start after this resource: its id's text, or `id@revision` with `history`. It must match the type.
    public var marker: String?
    /// For `generic`, load each resource's own type attributes too (a second query per type).
    public var details: Bool
    /// Every revision (history rows and current rows), not only the current ones.
    public var history: Bool
    /// Whose non-UUID ids a filter's uuid values are converted with (`ResourceIdentifier`), as Gnocchi does
    /// with the caller's creator.
    public var creator: String?

    /// Gnocchi's default order: `revision_start:asc`, `started_at:asc`.
    public static let defaultSort: [(key: String, ascending: Bool)] = [
        (key: "revision_start", ascending: true), (key: "started_at", ascending: true),
    ]

    public init(
        filter: SearchExpression? = nil, sort: [(key: String, ascending: Bool)] = ResourceQuery.defaultSort,
        limit: Int? = nil, marker: String? = nil, details: Bool = false, history: Bool = false, creator: String? = nil
    ) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.marker = marker
        self.details = details
        self.history = history
        self.creator = creator
    }
}

/// What `Indexer.resourceMetrics(_:)` selects: metrics by name of the resources matching a search — what
/// `/v1/aggregates` with `resource_type` + `search` and `groupby` needs.
public struct ResourceMetricQuery: Sendable {
    /// The resource type searched (`generic` for every resource).
    public var type: String
    /// The search; nil for every resource of the type.
    public var filter: SearchExpression?
    /// Metric names; each may be an `fnmatch` pattern (`*`, `?`, `[…]`). Exact names are matched in SQL.
    public var metricNames: [String]
    /// Search the revisions too (`use_history`): a resource matches when any revision does.
    public var history: Bool
    /// As `ResourceQuery.creator`.
    public var creator: String?
    /// At most this many resources are considered (the API's guard against unbounded scans); nil for no bound.
    public var resourceLimit: Int?

    public init(
        type: String, filter: SearchExpression? = nil, metricNames: [String], history: Bool = false,
        creator: String? = nil, resourceLimit: Int? = nil
    ) {
        self.type = type
        self.filter = filter
        self.metricNames = metricNames
        self.history = history
        self.creator = creator
        self.resourceLimit = resourceLimit
    }
}
