/// The `[api]` section: the HTTP server of the Gnocchi `/v1` and Aodh `/v2` APIs.
public struct APIConfiguration: Sendable, Hashable {
    /// The options of `[api]`.
    public static let keys: Set<String> = [
        "host", "port", "auth_mode", "max_limit", "operation_timeout", "enable_proxy_headers_parsing",
        "metadata_cache_ttl",
    ]
    /// The authentication modes of Gnocchi (A7).
    public static let authModes: Set<String> = ["basic", "keystone", "remoteuser", "noauth"]

    /// Address to listen on (default `0.0.0.0`).
    public var host: String
    /// Port to listen on (default 8041; 0 picks a free port).
    public var port: Int
    /// Authentication mode: `basic` (default), `keystone` or `remoteuser`.
    public var authMode: String
    /// Largest page a collection returns (≥ 1, default 1000).
    public var maxLimit: Int
    /// Time to wait for a lock, e.g. a sack for `refresh=true`, in nanoseconds (≥ 0, default 10 s).
    public var operationTimeout: Int64
    /// Whether to honour `X-Forwarded-*` / `Forwarded` headers from a proxy (default false).
    public var enableProxyHeadersParsing: Bool
    /// Stratus only: how long an API process may reuse an active metric or an archive policy it read from the
    /// index before reading it again, in nanoseconds (default 5 s; 0 reads the index on every request).
    /// Changes made through this process are seen at once; changes made through another API process (several
    /// APIs on one PostgreSQL index) after at most this long.
    public var metadataCacheTTL: Int64

    /// Creates a configuration with Gnocchi's defaults.
    public init(
        host: String = "0.0.0.0",
        port: Int = 8041,
        authMode: String = "basic",
        maxLimit: Int = 1000,
        operationTimeout: Int64 = 10 * Timestamps.nanosecondsPerSecond,
        enableProxyHeadersParsing: Bool = false,
        metadataCacheTTL: Int64 = 5 * Timestamps.nanosecondsPerSecond
    ) {
        self.host = host
        self.port = port
        self.authMode = authMode
        self.maxLimit = maxLimit
        self.operationTimeout = operationTimeout
        self.enableProxyHeadersParsing = enableProxyHeadersParsing
        self.metadataCacheTTL = metadataCacheTTL
    }

    /// Reads `[api]`.
    /// - Throws: `ConfigurationError` for unknown options, values of the wrong type or out of range.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let port = try section.int("port", default: 8041)
        guard (0...65535).contains(port) else {
            throw section.error("port", "api.port must be between 0 and 65535, got \(port)")
        }
        let authMode = try section.string("auth_mode", default: "basic")
        guard Self.authModes.contains(authMode) else {
            throw section.error(
                "auth_mode", "api.auth_mode must be one of \(Self.authModes.sorted().joined(separator: ", ")), got '\(authMode)'")
        }
        let maxLimit = try section.int("max_limit", default: 1000)
        guard maxLimit >= 1 else {
            throw section.error("max_limit", "api.max_limit must be at least 1, got \(maxLimit)")
        }
        let operationTimeout = try section.duration("operation_timeout", default: 10)
        guard operationTimeout >= 0 else {
            throw section.error("operation_timeout", "api.operation_timeout must not be negative")
        }
        let metadataCacheTTL = try section.duration("metadata_cache_ttl", default: 5)
        guard metadataCacheTTL >= 0 else {
            throw section.error("metadata_cache_ttl", "api.metadata_cache_ttl must not be negative")
        }
        self.init(
            host: try section.string("host", default: "0.0.0.0"),
            port: port,
            authMode: authMode,
            maxLimit: maxLimit,
            operationTimeout: operationTimeout,
            enableProxyHeadersParsing: try section.bool("enable_proxy_headers_parsing", default: false),
            metadataCacheTTL: metadataCacheTTL)
    }
}
