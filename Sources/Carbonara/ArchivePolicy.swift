/// A named set of granularities, retention and aggregation methods applied to metrics (Gnocchi's archive policy).
public struct ArchivePolicy: Sendable, Hashable {
    /// The policy's unique name.
    public var name: String
    /// How many blocks of the coarsest granularity late measures may go back (A9.6).
    public var backWindow: Int
    /// The granularities, in the order they were given.
    public var definition: [ArchivePolicyItem]
    /// The effective aggregation methods (resolved from `*`, `+m`, `-m` at creation, as Gnocchi stores them).
    public var aggregationMethods: Set<AggregationMethod>

    /// Creates and validates a policy.
    /// - Throws: `ArchivePolicyError` naming the field and the reason.
    public init(
        name: String,
        backWindow: Int = 0,
        definition: [ArchivePolicyItem],
        aggregationMethods: [String]? = nil,
        defaultMethods: Set<AggregationMethod> = AggregationMethod.defaults
    ) throws(ArchivePolicyError) {
        guard backWindow >= 0 else {
            throw ArchivePolicyError(field: "back_window", reason: "back_window must be a positive integer or zero")
        }
        guard !definition.isEmpty else {
            throw ArchivePolicyError(field: "definition", reason: "At least one archive policy definition is required")
        }
        var seen = Set<Int64>()
        for item in definition where !seen.insert(item.granularity).inserted {
            throw ArchivePolicyError(
                field: "definition",
                reason: "More than one archive policy uses granularity `\(formatSeconds(item.granularity))'"
            )
        }
        self.name = name
        self.backWindow = backWindow
        self.definition = definition
        self.aggregationMethods = try Self.resolve(aggregationMethods, defaults: defaultMethods)
    }

    /// Resolves a method specification as Gnocchi does: `*` is every method; when every entry starts with
    /// `+`/`-` they modify the defaults; otherwise the plain entries are the set and `+`/`-` apply after.
    /// - Throws: `ArchivePolicyError` for an entry that is not a valid method.
    public static func resolve(
        _ specification: [String]?, defaults: Set<AggregationMethod> = AggregationMethod.defaults
    ) throws(ArchivePolicyError) -> Set<AggregationMethod> {
        guard let entries = specification else { return defaults }
        for entry in entries where entry != "*" {
            let bare = entry.hasPrefix("+") || entry.hasPrefix("-") ? String(entry.dropFirst()) : entry
            if AggregationMethod(bare) == nil {
                throw ArchivePolicyError(field: "aggregation_methods", reason: "Invalid value for aggregation_methods: \(entry)")
            }
        }
        var methods: Set<AggregationMethod>
        if entries.contains("*") {
            methods = Set(AggregationMethod.all)
        } else if entries.allSatisfy({ $0.hasPrefix("+") || $0.hasPrefix("-") }) {
            methods = defaults
        } else {
            methods = Set(entries.compactMap { AggregationMethod($0) })
        }
        for entry in entries {
            if entry.hasPrefix("-"), let m = AggregationMethod(entry.dropFirst()) { methods.remove(m) }
            if entry.hasPrefix("+"), let m = AggregationMethod(entry.dropFirst()) { methods.insert(m) }
        }
        return methods
    }

    /// The raw series block size: the coarsest granularity, in nanoseconds.
    public var maxBlockSize: Int64 { definition.map(\.granularity).max() ?? 0 }

    /// The items sorted by granularity, finest first.
    public var itemsByGranularity: [ArchivePolicyItem] { definition.sorted { $0.granularity < $1.granularity } }

    /// The item with this granularity (nanoseconds), if any.
    public func item(granularity: Int64) -> ArchivePolicyItem? {
        definition.first { $0.granularity == granularity }
    }

    /// Whether any method needs the point before a bucket (`rate:*`), which keeps one more raw block.
    public var hasRateMethods: Bool { aggregationMethods.contains { $0.isRate } }

    /// The number of raw blocks kept behind the current one: `back_window`, plus one with `rate:` methods.
    public var rawBackWindow: Int { backWindow + (hasRateMethods ? 1 : 0) }
}

/// One granularity of an archive policy with its retention.
public struct ArchivePolicyItem: Sendable, Hashable {
    /// Bucket width in nanoseconds, > 0.
    public var granularity: Int64
    /// Number of points kept, nil for infinite retention.
    public var points: Int?
    /// `granularity × points` in nanoseconds, nil for infinite retention.
    public var timespan: Int64? { points.map { granularity * Int64($0) } }

    /// Builds an item from any two of granularity / points / timespan (seconds), as Gnocchi's `ArchivePolicyItem`.
    /// - Throws: `ArchivePolicyError` when fewer than two are given, when they disagree, or when one is not positive.
    public init(granularitySeconds: Double? = nil, points: Int? = nil, timespanSeconds: Double? = nil) throws(ArchivePolicyError) {
        func ns(_ seconds: Double) -> Int64 { Int64(seconds * 1e9) }
        if let g = granularitySeconds, let p = points, let t = timespanSeconds, ns(t) != ns(g) * Int64(p) {
            throw ArchivePolicyError(field: "definition", reason: "timespan ≠ granularity × points")
        }
        if let g = granularitySeconds, !(g.isFinite && ns(g) > 0) {
            throw ArchivePolicyError(field: "granularity", reason: "Granularity should be > 0")
        }
        if let p = points, p <= 0 {
            throw ArchivePolicyError(field: "points", reason: "Number of points should be > 0")
        }
        if let t = timespanSeconds, !(t.isFinite && t > 0) {
            throw ArchivePolicyError(field: "timespan", reason: "Timespan should be > 0")
        }
        let granularity: Int64
        if let g = granularitySeconds {
            granularity = ns(g)
        } else {
            guard let p = points, let t = timespanSeconds else {
                throw ArchivePolicyError(
                    field: "definition", reason: "At least two of granularity/points/timespan must be provided")
            }
            granularity = ns(t) / Int64(p)
            guard granularity > 0 else {
                throw ArchivePolicyError(field: "granularity", reason: "Granularity should be > 0")
            }
        }
        var resolvedPoints = points
        if resolvedPoints == nil, let t = timespanSeconds {
            let p = ns(t) / granularity
            guard p > 0 else {
                throw ArchivePolicyError(field: "points", reason: "Calculated number of points is < 0")
            }
            resolvedPoints = Int(p)
        }
        self.granularity = granularity
        self.points = resolvedPoints
    }

    /// Builds an item from exact nanosecond values.
    public init(granularity: Int64, points: Int?) {
        precondition(granularity > 0, "granularity must be positive")
        self.granularity = granularity
        self.points = points
    }
}

/// An invalid archive policy definition: which field, and why.
public struct ArchivePolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending field (`definition`, `granularity`, `points`, `timespan`, `back_window`, `aggregation_methods`).
    public var field: String
    /// Human-readable reason, Gnocchi's wording where it has one.
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { reason }
}

/// Seconds of a nanosecond duration, printed like Python's `timespan_total_seconds` (`60.0`).
func formatSeconds(_ nanoseconds: Int64) -> String {
    let seconds = Double(nanoseconds) / 1e9
    return "\(seconds)"
}

extension ArchivePolicy {
    private static let second: Int64 = 1_000_000_000
    private static let day: Int64 = 86_400 * second

    /// The default policies `gnocchi-upgrade` creates: `bool`, `low`, `medium`, `high` (A1), exactly.
    public static let defaultPolicies: [ArchivePolicy] = {
        func item(_ granularity: Int64, _ timespan: Int64) -> ArchivePolicyItem {
            ArchivePolicyItem(granularity: granularity, points: Int(timespan / granularity))
        }
        let minute = 60 * second, hour = 3600 * second
        do {
            return [
                try ArchivePolicy(name: "bool", backWindow: 3600, definition: [item(second, 365 * day)], aggregationMethods: ["last"]),
                try ArchivePolicy(name: "low", definition: [item(5 * minute, 30 * day)]),
                try ArchivePolicy(name: "medium", definition: [item(minute, 7 * day), item(hour, 365 * day)]),
                try ArchivePolicy(name: "high", definition: [item(second, hour), item(minute, 7 * day), item(hour, 365 * day)]),
            ]
        } catch {
            preconditionFailure("default archive policies are valid: \(error)")
        }
    }()
}

extension ArchivePolicy {
    /// Rebuilds a stored policy whose methods are already resolved (as read back from the index).
    /// - Throws: `ArchivePolicyError` when the stored definition is not valid.
    public init(name: String, backWindow: Int, definition: [ArchivePolicyItem], methods: Set<AggregationMethod>) throws(ArchivePolicyError) {
        try self.init(name: name, backWindow: backWindow, definition: definition, aggregationMethods: methods.map(\.name))
    }
}
