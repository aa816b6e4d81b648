/// The `[publisher]` section: how published meter messages are signed, and where the
/// `gnocchi://` publisher finds the Gnocchi API and who it is there.
public struct PublisherConfiguration: Sendable, Hashable {
    /// The options of `[publisher]`.
    public static let keys: Set<String> = [
        "telemetry_secret", "gnocchi_url", "gnocchi_user", "gnocchi_user_id", "gnocchi_project_id", "gnocchi_roles",
    ]

    /// The Gnocchi endpoint when none is configured (Gnocchi's default port on this host).
    public static let defaultGnocchiURL = "http://127.0.0.1:8041"

    /// The HMAC-SHA256 key of `message_signature` (Ceilometer's default
    /// `"change this for valid signing"`); empty disables signing (signature `""`).
    public var telemetrySecret: String
    /// `gnocchi_url`: the Gnocchi API the `gnocchi://` publisher writes to (`/v1` is appended).
    public var gnocchiURL: String
    /// `gnocchi_user`: the HTTP Basic user name (empty password), as the CLI client sends it;
    /// `admin` by default.
    public var gnocchiUser: String
    /// `gnocchi_user_id`: sent as `X-User-Id` (for an API in `auth_mode: keystone`), when set.
    public var gnocchiUserID: String?
    /// `gnocchi_project_id`: sent as `X-Project-Id`, when set.
    public var gnocchiProjectID: String?
    /// `gnocchi_roles`: sent as `X-Roles` (comma-separated), when set.
    public var gnocchiRoles: String?

    /// Creates a configuration with Ceilometer's secret and Stratus's defaults.
    public init(
        telemetrySecret: String = MessageSigner.defaultSecret, gnocchiURL: String = PublisherConfiguration.defaultGnocchiURL,
        gnocchiUser: String = "admin", gnocchiUserID: String? = nil, gnocchiProjectID: String? = nil, gnocchiRoles: String? = nil
    ) {
        self.telemetrySecret = telemetrySecret
        self.gnocchiURL = gnocchiURL
        self.gnocchiUser = gnocchiUser
        self.gnocchiUserID = gnocchiUserID
        self.gnocchiProjectID = gnocchiProjectID
        self.gnocchiRoles = gnocchiRoles
    }

    /// Reads `[publisher]`.
    /// - Throws: `ConfigurationError` for unknown options, values of the wrong type, or a
    ///   `gnocchi_url` that is not an `http://` or `https://` URL.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let url = try section.string("gnocchi_url", default: Self.defaultGnocchiURL)
        let lowered = url.lowercased()
        guard (lowered.hasPrefix("http://") && url.count > 7) || (lowered.hasPrefix("https://") && url.count > 8) else {
            throw section.error("gnocchi_url", "publisher.gnocchi_url must be an http:// or https:// URL, got '\(url)'")
        }
        self.init(
            telemetrySecret: try section.string("telemetry_secret", default: MessageSigner.defaultSecret),
            gnocchiURL: url,
            gnocchiUser: try section.string("gnocchi_user", default: "admin"),
            gnocchiUserID: try section.optionalString("gnocchi_user_id"),
            gnocchiProjectID: try section.optionalString("gnocchi_project_id"),
            gnocchiRoles: try section.optionalString("gnocchi_roles"))
    }
}
