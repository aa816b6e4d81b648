/// A rule choosing the archive policy of a metric created without one, by `fnmatch` on the metric's name.
public struct ArchivePolicyRule: Sendable, Hashable {
    /// The rule's unique name.
    public var name: String
    /// The shell-style pattern matched against metric names (Python `fnmatch` semantics).
    public var metricPattern: String
    /// The policy given to matching metrics.
    public var archivePolicyName: String

    /// Creates a rule.
    public init(name: String, metricPattern: String, archivePolicyName: String) {
        self.name = name
        self.metricPattern = metricPattern
        self.archivePolicyName = archivePolicyName
    }
}
