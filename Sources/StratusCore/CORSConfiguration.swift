/// The `[cors]` section: cross-origin requests, as oslo.middleware's CORS filter in front of Gnocchi.
public struct CORSConfiguration: Sendable, Hashable {
    /// The options of `[cors]`.
    public static let keys: Set<String> = [
        "allowed_origin", "allow_credentials", "expose_headers", "max_age", "allow_methods", "allow_headers",
    ]

    /// Origins allowed to call the API (`*` for any); empty disables CORS.
    public var allowedOrigins: [String]
    /// Whether browsers may send credentials.
    public var allowCredentials: Bool
    /// Response headers exposed to scripts.
    public var exposeHeaders: [String]
    /// Seconds a preflight answer may be cached; nil to omit.
    public var maxAge: Int?
    /// Methods allowed in preflight answers.
    public var allowMethods: [String]
    /// Request headers allowed in preflight answers.
    public var allowHeaders: [String]

    /// Creates a configuration with oslo.middleware's defaults as Gnocchi sets them.
    public init(
        allowedOrigins: [String] = [], allowCredentials: Bool = true,
        exposeHeaders: [String] = ["X-Auth-Token", "X-Subject-Token", "X-Service-Token", "X-OpenStack-Request-ID", "Link"],
        maxAge: Int? = nil, allowMethods: [String] = ["GET", "PUT", "POST", "DELETE", "PATCH"],
        allowHeaders: [String] = ["X-Auth-Token", "X-Identity-Status", "X-Roles", "X-Service-Catalog", "X-User-Id", "X-Tenant-Id", "X-OpenStack-Request-ID", "Content-Type", "Authorization", "X-Project-Id"]
    ) {
        self.allowedOrigins = allowedOrigins
        self.allowCredentials = allowCredentials
        self.exposeHeaders = exposeHeaders
        self.maxAge = maxAge
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
    }

    /// Reads `[cors]`.
    /// - Throws: `ConfigurationError` for unknown options or values of the wrong type.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let defaults = CORSConfiguration()
        let maxAge = try section.int("max_age", default: -1)
        self.init(
            allowedOrigins: try section.stringList("allowed_origin", default: []),
            allowCredentials: try section.bool("allow_credentials", default: defaults.allowCredentials),
            exposeHeaders: try section.stringList("expose_headers", default: defaults.exposeHeaders),
            maxAge: maxAge >= 0 ? maxAge : nil,
            allowMethods: try section.stringList("allow_methods", default: defaults.allowMethods),
            allowHeaders: try section.stringList("allow_headers", default: defaults.allowHeaders))
    }
}
