/// The `[notification]` section: the notification agent (`stratus notification`), which receives
/// the polling agents' signed sample batches over HTTP and runs them through pipeline.yaml.
public struct NotificationConfiguration: Sendable, Hashable {
    /// The options of `[notification]`.
    public static let keys: Set<String> = [
        "host", "port", "pipeline_cfg_file", "pipeline_polling_interval", "batch_size", "batch_timeout",
        "max_request_bytes", "workers", "pipelines", "messaging_urls", "notification_control_exchanges",
        "flush_interval",
    ]

    /// The default port of the sample listener.
    public static let defaultPort = 8045

    /// Address the sample listener binds (default `0.0.0.0`: polling agents run on other hosts).
    public var host: String
    /// Port of the sample listener (default 8045; 0 picks a free port).
    public var port: Int
    /// The pipeline definitions (Ceilometer's `pipeline_cfg_file`, default `pipeline.yaml`;
    /// relative paths are resolved against the configuration file's directory by the caller).
    public var pipelineCfgFile: String
    /// Whether `pipeline_cfg_file` was set explicitly.
    public var pipelineCfgFileIsExplicit: Bool
    /// How often pipeline.yaml is checked for changes, in nanoseconds (default 20 s); 0 disables.
    public var pipelinePollingInterval: Int64
    /// Most samples run through the pipeline at once: concurrent batches waiting for the pipeline are
    /// merged up to this many samples (default 10,000).
    public var batchSize: Int
    /// How often transformers with a retention time are flushed, in nanoseconds (default 1 s).
    public var flushInterval: Int64
    /// Largest accepted request body in bytes (default 64 MiB).
    public var maxRequestBytes: Int

    /// Creates a configuration with the defaults.
    public init(
        host: String = "0.0.0.0", port: Int = NotificationConfiguration.defaultPort, pipelineCfgFile: String = "pipeline.yaml",
        pipelineCfgFileIsExplicit: Bool = false, pipelinePollingInterval: Int64 = 20 * Timestamps.nanosecondsPerSecond,
        batchSize: Int = 10_000, flushInterval: Int64 = Timestamps.nanosecondsPerSecond, maxRequestBytes: Int = 64 << 20
    ) {
        self.host = host
        self.port = port
        self.pipelineCfgFile = pipelineCfgFile
        self.pipelineCfgFileIsExplicit = pipelineCfgFileIsExplicit
        self.pipelinePollingInterval = pipelinePollingInterval
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.maxRequestBytes = maxRequestBytes
    }

    /// Reads `[notification]`. Ceilometer's messaging options (`workers`, `pipelines`,
    /// `messaging_urls`, `notification_control_exchanges`, `batch_timeout`) are accepted and have
    /// no effect: samples arrive over HTTP.
    /// - Throws: `ConfigurationError` for unknown options, values of the wrong type or out of range.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let port = try section.int("port", default: Self.defaultPort)
        guard (0...65_535).contains(port) else {
            throw section.error("port", "notification.port must be between 0 and 65535, got \(port)")
        }
        let file = try section.string("pipeline_cfg_file", default: "pipeline.yaml")
        guard !file.isEmpty else { throw section.error("pipeline_cfg_file", "notification.pipeline_cfg_file must not be empty") }
        let interval = try section.duration("pipeline_polling_interval", default: 20)
        guard interval >= 0 else {
            throw section.error("pipeline_polling_interval", "notification.pipeline_polling_interval must not be negative")
        }
        let batchSize = try section.int("batch_size", default: 10_000)
        guard batchSize >= 1 else { throw section.error("batch_size", "notification.batch_size must be 1 or more, got \(batchSize)") }
        let flush = try section.duration("flush_interval", default: 1)
        guard flush > 0 else { throw section.error("flush_interval", "notification.flush_interval must be positive") }
        let maxBytes = try section.int("max_request_bytes", default: 64 << 20)
        guard maxBytes >= 1024 else {
            throw section.error("max_request_bytes", "notification.max_request_bytes must be at least 1024, got \(maxBytes)")
        }
        _ = try section.int("workers", default: 1)
        self.init(
            host: try section.string("host", default: "0.0.0.0"), port: port, pipelineCfgFile: file,
            pipelineCfgFileIsExplicit: section.contains("pipeline_cfg_file"), pipelinePollingInterval: interval,
            batchSize: batchSize, flushInterval: flush, maxRequestBytes: maxBytes)
    }
}
