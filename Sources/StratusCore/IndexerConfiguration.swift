/// The `[indexer]` section: where metrics, resources and archive policies are indexed.
public struct IndexerConfiguration: Sendable, Hashable {
    /// The options of `[indexer]`.
    public static let keys: Set<String> = ["url"]

    /// The indexer URL: `sqlite:///path/index.sqlite` or `postgresql://user:pass@host/db`. Empty
    /// (the default) means a SQLite file in the data directory, resolved by the caller.
    public var url: String

    /// Creates a configuration with Stratus's defaults.
    public init(url: String = "") {
        self.url = url
    }

    /// Reads `[indexer]`.
    /// - Throws: `ConfigurationError` for unknown options or values of the wrong type.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        self.init(url: try section.string("url", default: ""))
    }
}
