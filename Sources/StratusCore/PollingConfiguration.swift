/// The `[polling]` section: the polling agent (`stratus polling`), with Ceilometer's option
/// names and defaults, plus where the agent publishes until a pipeline takes its samples.
public struct PollingConfiguration: Sendable, Hashable {
    /// The options of `[polling]`.
    public static let keys: Set<String> = [
        "cfg_file", "batch_size", "pollsters_definitions_dirs", "threads_to_process_pollsters",
        "partitioning_group_prefix", "identity_name_discovery", "enable_notifications",
        "enable_prometheus_exporter", "prometheus_listen_addresses", "heartbeat_socket_dir",
        "publishers", "metrics_port", "host", "reload_check_interval", "spool_dir", "spool_max_bytes",
    ]

    /// The polling definitions file (default `polling.yaml`; relative paths are resolved by the
    /// caller against the configuration file's directory, else the working directory). When the
    /// file does not exist and `cfg_file` was not set, the embedded default applies.
    public var cfgFile: String
    /// Whether `cfg_file` was set explicitly (then a missing file is an error).
    public var cfgFileIsExplicit: Bool
    /// Samples per published message (default 50); 0 publishes every sample on its own.
    public var batchSize: Int
    /// Directories of dynamic pollster definitions (default `/etc/ceilometer/pollsters.d`).
    public var pollstersDefinitionsDirs: [String]
    /// Pollsters of one source polled concurrently (default 1); 0 = all at once.
    public var threadsToProcessPollsters: Int
    /// Prefix of the coordination groups (workload partitioning), nil for none.
    public var partitioningGroupPrefix: String?
    /// Whether samples get `user_name` / `project_name` from Keystone (default false).
    public var identityNameDiscovery: Bool
    /// Whether samples are published at all (default true).
    public var enableNotifications: Bool
    /// Whether Ceilometer's sample exporter for Prometheus is on (default false).
    public var enablePrometheusExporter: Bool
    /// Where that exporter listens (default `127.0.0.1:9101`).
    public var prometheusListenAddresses: [String]
    /// Directory of the heartbeat socket, nil for none.
    public var heartbeatSocketDir: String?
    /// Where samples go: `notifier://HOST:PORT[,HOST:PORT…]` (notification agents), `log://`
    /// (default) and/or `file:///path/samples.jsonl` (one JSON meter message per line).
    public var publishers: [String]
    /// Where `notifier://` keeps batches an agent has not acknowledged (default
    /// `/var/lib/stratus/spool`; empty keeps them in memory).
    public var spoolDir: String
    /// The most bytes spooled per notification agent (default 100 MiB); the oldest are dropped beyond.
    public var spoolMaxBytes: Int
    /// The loopback port of the agent's own `/metrics` (Prometheus text; default 9102); 0 picks a
    /// free port; -1 disables it.
    public var metricsPort: Int
    /// The host name samples report (default: the machine's host name, resolved by the agent).
    public var host: String?
    /// How often the polling definitions file is checked for changes, in nanoseconds (default
    /// 5 s); 0 disables the check (SIGHUP still reloads).
    public var reloadCheckInterval: Int64

    /// Ceilometer's default `pollsters_definitions_dirs`.
    public static let defaultDefinitionsDirs = ["/etc/ceilometer/pollsters.d"]

    /// Creates a configuration with Ceilometer's defaults.
    public init(
        cfgFile: String = "polling.yaml", cfgFileIsExplicit: Bool = false, batchSize: Int = 50,
        pollstersDefinitionsDirs: [String] = PollingConfiguration.defaultDefinitionsDirs,
        threadsToProcessPollsters: Int = 1, partitioningGroupPrefix: String? = nil,
        identityNameDiscovery: Bool = false, enableNotifications: Bool = true,
        enablePrometheusExporter: Bool = false, prometheusListenAddresses: [String] = ["127.0.0.1:9101"],
        heartbeatSocketDir: String? = nil, publishers: [String] = ["log://"], metricsPort: Int = 9102,
        host: String? = nil, reloadCheckInterval: Int64 = 5 * Timestamps.nanosecondsPerSecond,
        spoolDir: String = "/var/lib/stratus/spool", spoolMaxBytes: Int = 100 << 20
    ) {
        self.spoolDir = spoolDir
        self.spoolMaxBytes = spoolMaxBytes
        self.cfgFile = cfgFile
        self.cfgFileIsExplicit = cfgFileIsExplicit
        self.batchSize = batchSize
        self.pollstersDefinitionsDirs = pollstersDefinitionsDirs
        self.threadsToProcessPollsters = threadsToProcessPollsters
        self.partitioningGroupPrefix = partitioningGroupPrefix
        self.identityNameDiscovery = identityNameDiscovery
        self.enableNotifications = enableNotifications
        self.enablePrometheusExporter = enablePrometheusExporter
        self.prometheusListenAddresses = prometheusListenAddresses
        self.heartbeatSocketDir = heartbeatSocketDir
        self.publishers = publishers
        self.metricsPort = metricsPort
        self.host = host
        self.reloadCheckInterval = reloadCheckInterval
    }

    /// Reads `[polling]`.
    /// - Throws: `ConfigurationError` for unknown options, values of the wrong type or out of range.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let cfgFile = try section.string("cfg_file", default: "polling.yaml")
        guard !cfgFile.isEmpty else { throw section.error("cfg_file", "polling.cfg_file must not be empty") }
        let batchSize = try section.int("batch_size", default: 50)
        guard batchSize >= 0 else {
            throw section.error("batch_size", "polling.batch_size must be 0 or more, got \(batchSize)")
        }
        let threads = try section.int("threads_to_process_pollsters", default: 1)
        guard threads >= 0 else {
            throw section.error(
                "threads_to_process_pollsters", "polling.threads_to_process_pollsters must be 0 or more, got \(threads)")
        }
        let publishers = try section.stringList("publishers", default: ["log://"])
        for publisher in publishers
        where !(publisher == "log" || publisher.hasPrefix("log:") || publisher.hasPrefix("file:") || publisher.hasPrefix("notifier:")) {
            throw section.error(
                "publishers", "polling.publishers: unknown publisher '\(publisher)'; valid: notifier://HOST:PORT, log://, file:///path")
        }
        let spoolMaxBytes = try section.int("spool_max_bytes", default: 100 << 20)
        guard spoolMaxBytes >= 0 else {
            throw section.error("spool_max_bytes", "polling.spool_max_bytes must be 0 or more, got \(spoolMaxBytes)")
        }
        let metricsPort = try section.int("metrics_port", default: 9102)
        guard (-1...65_535).contains(metricsPort) else {
            throw section.error("metrics_port", "polling.metrics_port must be -1 (off), 0 (any) or a port, got \(metricsPort)")
        }
        let reload = try section.duration("reload_check_interval", default: 5)
        guard reload >= 0 else {
            throw section.error("reload_check_interval", "polling.reload_check_interval must not be negative")
        }
        self.init(
            cfgFile: cfgFile,
            cfgFileIsExplicit: section.contains("cfg_file"),
            batchSize: batchSize,
            pollstersDefinitionsDirs: try section.stringList(
                "pollsters_definitions_dirs", default: Self.defaultDefinitionsDirs),
            threadsToProcessPollsters: threads,
            partitioningGroupPrefix: try section.optionalString("partitioning_group_prefix"),
            identityNameDiscovery: try section.bool("identity_name_discovery", default: false),
            enableNotifications: try section.bool("enable_notifications", default: true),
            enablePrometheusExporter: try section.bool("enable_prometheus_exporter", default: false),
            prometheusListenAddresses: try section.stringList(
                "prometheus_listen_addresses", default: ["127.0.0.1:9101"]),
            heartbeatSocketDir: try section.optionalString("heartbeat_socket_dir"),
            publishers: publishers,
            metricsPort: metricsPort,
            host: try section.optionalString("host"),
            reloadCheckInterval: reload,
            spoolDir: try section.string("spool_dir", default: "/var/lib/stratus/spool"),
            spoolMaxBytes: spoolMaxBytes)
    }
}
