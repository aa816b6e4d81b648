/// The `[evaluator]` section: the alarm evaluator (Aodh's `[evaluator]` and its Gnocchi client).
public struct EvaluatorConfiguration: Sendable, Hashable {
    /// The options of `[evaluator]`.
    public static let keys: Set<String> = [
        "evaluation_interval", "gnocchi_url", "auth_mode", "user", "user_id", "project_id", "roles", "token",
        "rest_notifier_max_retries", "additional_ingestion_lag", "max_concurrency", "http_timeout",
    ]

    /// How the evaluator authenticates to the Gnocchi API.
    public static let authModes: Set<String> = ["basic", "keystone", "noauth", "remoteuser", "token"]

    /// Time between two evaluation rounds, in nanoseconds (default 60 s).
    public var evaluationInterval: Int64
    /// The Gnocchi (or Stratus) API the evaluator reads; nil means the local API (`api.host:api.port`).
    public var gnocchiURL: String?
    /// `basic` (HTTP Basic user name), `keystone` / `noauth` (X-User-Id, X-Project-Id, X-Roles headers),
    /// `remoteuser` (X-Remote-User) or `token` (X-Auth-Token); default `basic`.
    public var authMode: String
    /// The user name for `basic` and `remoteuser` (default `admin`).
    public var user: String
    /// The user id for `keystone` / `noauth` (default `admin`).
    public var userID: String
    /// The project id for `keystone` / `noauth` (default `admin`).
    public var projectID: String
    /// The roles for `keystone` / `noauth` (default `admin`).
    public var roles: String
    /// The token for `token`.
    public var token: String?
    /// How many times a failed HTTP notification is retried (≥ 0, default 0 as Aodh).
    public var restNotifierMaxRetries: Int
    /// Seconds added to every look-back window (0…86 400, default 0).
    public var additionalIngestionLag: Int
    /// How many alarms are evaluated at once (≥ 1, default 64).
    public var maxConcurrency: Int
    /// Time allowed per HTTP request, in nanoseconds (default 30 s).
    public var httpTimeout: Int64

    /// Creates a configuration with the defaults.
    public init(
        evaluationInterval: Int64 = 60 * Timestamps.nanosecondsPerSecond, gnocchiURL: String? = nil,
        authMode: String = "basic", user: String = "admin", userID: String = "admin", projectID: String = "admin",
        roles: String = "admin", token: String? = nil, restNotifierMaxRetries: Int = 0, additionalIngestionLag: Int = 0,
        maxConcurrency: Int = 32, httpTimeout: Int64 = 30 * Timestamps.nanosecondsPerSecond
    ) {
        self.evaluationInterval = evaluationInterval
        self.gnocchiURL = gnocchiURL
        self.authMode = authMode
        self.user = user
        self.userID = userID
        self.projectID = projectID
        self.roles = roles
        self.token = token
        self.restNotifierMaxRetries = restNotifierMaxRetries
        self.additionalIngestionLag = additionalIngestionLag
        self.maxConcurrency = maxConcurrency
        self.httpTimeout = httpTimeout
    }

    /// Reads `[evaluator]`.
    /// - Throws: `ConfigurationError` (file, line, reason) for unknown options, values of the wrong type or out of range.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let interval = try section.duration("evaluation_interval", default: 60)
        guard interval > 0 else {
            throw section.error("evaluation_interval", "evaluator.evaluation_interval must be positive")
        }
        let url = try section.optionalString("gnocchi_url")
        if let url {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
                throw section.error("gnocchi_url", "evaluator.gnocchi_url must be an http:// or https:// URL, got '\(url)'")
            }
        }
        let authMode = try section.string("auth_mode", default: "basic")
        guard Self.authModes.contains(authMode) else {
            throw section.error(
                "auth_mode",
                "evaluator.auth_mode must be one of \(Self.authModes.sorted().joined(separator: ", ")), got '\(authMode)'")
        }
        let token = try section.optionalString("token")
        if authMode == "token", token?.isEmpty ?? true {
            throw section.error("auth_mode", "evaluator.auth_mode token needs evaluator.token")
        }
        let retries = try section.int("rest_notifier_max_retries", default: 0)
        guard retries >= 0 else {
            throw section.error(
                "rest_notifier_max_retries", "evaluator.rest_notifier_max_retries must be at least 0, got \(retries)")
        }
        let lag = try section.int("additional_ingestion_lag", default: 0)
        guard (0...86_400).contains(lag) else {
            throw section.error(
                "additional_ingestion_lag", "evaluator.additional_ingestion_lag must be between 0 and 86400, got \(lag)")
        }
        let concurrency = try section.int("max_concurrency", default: 32)
        guard concurrency >= 1 else {
            throw section.error("max_concurrency", "evaluator.max_concurrency must be at least 1, got \(concurrency)")
        }
        let timeout = try section.duration("http_timeout", default: 30)
        guard timeout > 0 else { throw section.error("http_timeout", "evaluator.http_timeout must be positive") }
        self.init(
            evaluationInterval: interval, gnocchiURL: url, authMode: authMode,
            user: try section.string("user", default: "admin"), userID: try section.string("user_id", default: "admin"),
            projectID: try section.string("project_id", default: "admin"),
            roles: try section.string("roles", default: "admin"), token: token, restNotifierMaxRetries: retries,
            additionalIngestionLag: lag, maxConcurrency: concurrency, httpTimeout: timeout)
    }
}
