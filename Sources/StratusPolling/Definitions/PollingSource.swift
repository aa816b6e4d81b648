import StratusCore
/// One source of `polling.yaml`: which meters to poll, how often, on which resources.
public struct PollingSource: Sendable, Hashable {
    /// The unique source name.
    public var name: String
    /// Seconds between two polls (> 0).
    public var interval: Int
    /// The `meters` list.
    public var meters: MeterSelector
    /// Static resources (`resources`), as written.
    public var resources: [String]
    /// Discoveries (`discovery`): `name`, `name:param` or `name://param`.
    public var discovery: [String]
    /// `group_id_coordination_expression`, kept for dynamic pollster coordination.
    public var groupIDCoordinationExpression: String?
    /// The 1-based line of the source in its file, for messages.
    public var line: Int?

    /// Creates a source (already checked).
    public init(
        name: String, interval: Int, meters: MeterSelector, resources: [String] = [], discovery: [String] = [],
        groupIDCoordinationExpression: String? = nil, line: Int? = nil
    ) {
        self.name = name
        self.interval = interval
        self.meters = meters
        self.resources = resources
        self.discovery = discovery
        self.groupIDCoordinationExpression = groupIDCoordinationExpression
        self.line = line
    }
}

/// A discovery name split as Ceilometer's `_parse_discoverer` (a URL: scheme, else path).
public struct DiscoveryName: Sendable, Hashable, CustomStringConvertible {
    /// The discoverer name (`endpoint`).
    public var name: String
    /// The parameter (`image` in `endpoint:image` or `endpoint://image`), nil when absent.
    public var parameter: String?

    /// Splits `text`.
    public init(_ text: String) {
        if let colon = text.firstIndex(of: ":") {
            name = String(text[..<colon])
            var rest = text[text.index(after: colon)...]
            if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
            parameter = rest.isEmpty ? nil : String(rest)
        } else {
            name = text
            parameter = nil
        }
    }

    public var description: String { parameter.map { "\(name):\($0)" } ?? name }
}
