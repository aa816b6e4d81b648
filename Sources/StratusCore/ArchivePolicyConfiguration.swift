/// The `[archive_policy]` section: defaults for archive policies.
public struct ArchivePolicyConfiguration: Sendable, Hashable {
    /// The options of `[archive_policy]`.
    public static let keys: Set<String> = ["default_aggregation_methods"]
    /// Gnocchi's default aggregation methods.
    public static let defaultMethods = ["mean", "min", "max", "sum", "std", "count"]

    /// The aggregation methods of a policy whose `aggregation_methods` only adds (`+m`) or removes
    /// (`-m`) methods (default `mean, min, max, sum, std, count`).
    public var defaultAggregationMethods: [String]

    /// Creates a configuration with Gnocchi's defaults.
    public init(defaultAggregationMethods: [String] = ArchivePolicyConfiguration.defaultMethods) {
        self.defaultAggregationMethods = defaultAggregationMethods
    }

    /// Reads `[archive_policy]`.
    /// - Throws: `ConfigurationError` for unknown options or an unknown aggregation method.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let methods = try section.stringList("default_aggregation_methods", default: Self.defaultMethods)
        for method in methods where !Self.isValidMethod(method) {
            throw section.error(
                "default_aggregation_methods",
                "archive_policy.default_aggregation_methods: unknown aggregation method '\(method)'")
        }
        self.init(defaultAggregationMethods: methods)
    }

    /// True for Gnocchi's methods: `mean sum last max min std median first count`, `1pct`…`99pct`,
    /// each also as `rate:<method>`.
    public static func isValidMethod(_ method: String) -> Bool {
        var name = Substring(method)
        if name.hasPrefix("rate:") { name = name.dropFirst(5) }
        switch name {
        case "mean", "sum", "last", "max", "min", "std", "median", "first", "count":
            return true
        default:
            guard name.hasSuffix("pct") else { return false }
            let number = name.dropLast(3)
            guard let value = Int(number), (1...99).contains(value), String(value) == number else { return false }
            return true
        }
    }
}
