/// The `[service_credentials]` section: how polling agents find OpenStack service endpoints.
///
/// With `auth_url` set, the agent authenticates against Keystone v3 (password method, project
/// scope) and reads the service catalog of the token, as Ceilometer does with its
/// `[service_credentials]` options. Without it, `catalog_file` (a Stratus addition) names a
/// static catalog in Keystone's catalog format. With neither, endpoint discovery finds nothing.
public struct ServiceCredentialsConfiguration: Sendable, Hashable {
    /// The options of `[service_credentials]`.
    public static let keys: Set<String> = [
        "auth_type", "auth_url", "username", "user_id", "password", "project_name", "project_id",
        "user_domain_name", "user_domain_id", "project_domain_name", "project_domain_id",
        "region_name", "interface", "timeout", "catalog_file",
    ]

    /// The endpoint interfaces Keystone knows.
    public static let interfaces: Set<String> = ["public", "internal", "admin"]

    /// Keystone's URL, such as `http://controller:5000/v3` (a URL without `/v3` gets it appended);
    /// nil when Keystone is not used.
    public var authURL: String?
    /// The user name (or use ``userID``).
    public var username: String?
    /// The user id, instead of ``username``.
    public var userID: String?
    /// The password.
    public var password: String?
    /// The project to scope the token to (or use ``projectID``).
    public var projectName: String?
    /// The project id, instead of ``projectName``.
    public var projectID: String?
    /// The user's domain name (default `Default`), used with ``username``.
    public var userDomainName: String
    /// The user's domain id; wins over ``userDomainName``.
    public var userDomainID: String?
    /// The project's domain name (default `Default`), used with ``projectName``.
    public var projectDomainName: String
    /// The project's domain id; wins over ``projectDomainName``.
    public var projectDomainID: String?
    /// Only endpoints of this region; nil for every region.
    public var regionName: String?
    /// The endpoint interface: `public` (default), `internal` or `admin`.
    public var interface: String
    /// Timeout of a Keystone request, in nanoseconds (default 30 s).
    public var timeout: Int64
    /// A static service catalog file (YAML or JSON), used when ``authURL`` is nil.
    public var catalogFile: String?

    /// Creates a configuration; nothing configured by default.
    public init(
        authURL: String? = nil, username: String? = nil, userID: String? = nil, password: String? = nil,
        projectName: String? = nil, projectID: String? = nil,
        userDomainName: String = "Default", userDomainID: String? = nil,
        projectDomainName: String = "Default", projectDomainID: String? = nil,
        regionName: String? = nil, interface: String = "public",
        timeout: Int64 = 30 * Timestamps.nanosecondsPerSecond, catalogFile: String? = nil
    ) {
        self.authURL = authURL
        self.username = username
        self.userID = userID
        self.password = password
        self.projectName = projectName
        self.projectID = projectID
        self.userDomainName = userDomainName
        self.userDomainID = userDomainID
        self.projectDomainName = projectDomainName
        self.projectDomainID = projectDomainID
        self.regionName = regionName
        self.interface = interface
        self.timeout = timeout
        self.catalogFile = catalogFile
    }

    /// Reads `[service_credentials]`.
    /// - Throws: `ConfigurationError` for unknown options, an `auth_type` other than `password`,
    ///   an unknown `interface`, a non-positive `timeout`, or `auth_url` without a user, a
    ///   password or a project.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let authType = try section.string("auth_type", default: "password")
        guard authType == "password" else {
            throw section.error(
                "auth_type", "service_credentials.auth_type must be 'password' (the only method supported), got '\(authType)'")
        }
        let interface = Self.normalizedInterface(try section.string("interface", default: "public"))
        guard Self.interfaces.contains(interface) else {
            throw section.error(
                "interface", "service_credentials.interface must be one of public, internal, admin, got '\(interface)'")
        }
        let timeout = try section.duration("timeout", default: 30)
        guard timeout > 0 else {
            throw section.error("timeout", "service_credentials.timeout must be positive")
        }
        let authURL = try section.optionalString("auth_url").flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            authURL: authURL,
            username: try section.optionalString("username"),
            userID: try section.optionalString("user_id"),
            password: try section.optionalString("password"),
            projectName: try section.optionalString("project_name"),
            projectID: try section.optionalString("project_id"),
            userDomainName: try section.string("user_domain_name", default: "Default"),
            userDomainID: try section.optionalString("user_domain_id"),
            projectDomainName: try section.string("project_domain_name", default: "Default"),
            projectDomainID: try section.optionalString("project_domain_id"),
            regionName: try section.optionalString("region_name").flatMap { $0.isEmpty ? nil : $0 },
            interface: interface,
            timeout: timeout,
            catalogFile: try section.optionalString("catalog_file").flatMap { $0.isEmpty ? nil : $0 })
        if authURL != nil {
            guard username != nil || userID != nil else {
                throw section.error("auth_url", "service_credentials.auth_url is set but neither username nor user_id is")
            }
            guard password != nil else {
                throw section.error("auth_url", "service_credentials.auth_url is set but password is not")
            }
            guard projectName != nil || projectID != nil else {
                throw section.error("auth_url", "service_credentials.auth_url is set but neither project_name nor project_id is")
            }
        }
    }

    /// True when Keystone is configured (``authURL`` set).
    public var usesKeystone: Bool { authURL != nil }

    /// `publicURL`, `internalURL`, `adminURL` (keystoneauth's legacy spellings) as
    /// `public`, `internal`, `admin`.
    public static func normalizedInterface(_ text: String) -> String {
        let lowered = text.trimmingSpaces().lowercased()
        return lowered.hasSuffix("url") ? String(lowered.dropLast(3)) : lowered
    }
}
