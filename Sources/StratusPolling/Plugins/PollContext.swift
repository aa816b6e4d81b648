import Logging
import StratusCore

/// What a pollster or discoverer gets for one polling cycle.
public struct PollContext: Sendable {
    /// The poll's timestamp, UTC ISO 8601 as Python's `utcnow().isoformat()`; every sample of
    /// one pollster run carries it.
    public var timestamp: String
    /// The poll's time in nanoseconds since the epoch.
    public var timestampNanoseconds: Int64
    /// The cache shared by all pollsters of this cycle.
    public var cache: PollingCache
    /// The source being polled (`polling.yaml`'s `name`).
    public var sourceName: String
    /// The logger, with `polling.source` metadata.
    public var logger: Logger
    /// Configuration and shared objects.
    public var environment: PollingEnvironment

    /// Creates a context.
    public init(
        timestampNanoseconds: Int64, cache: PollingCache, sourceName: String, logger: Logger,
        environment: PollingEnvironment
    ) {
        self.timestampNanoseconds = timestampNanoseconds
        self.timestamp = PollTimestamp.isoformat(nanoseconds: timestampNanoseconds)
        self.cache = cache
        self.sourceName = sourceName
        self.logger = logger
        self.environment = environment
    }

    /// The configuration (`stratus.yaml`).
    public var configuration: ConfigurationFile { environment.configuration }
}
