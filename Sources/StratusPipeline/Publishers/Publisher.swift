import Logging
import StratusCore

/// Where a sink sends its samples (reference B9): one call per batch that left the sink's
/// transformers.
public protocol Publisher: Sendable {
    /// Publishes one batch.
    /// - Throws: when the batch could not be delivered; the pipeline logs it and still runs the
    ///   sink's other publishers.
    func publish(_ samples: [Sample]) async throws
}

/// A publisher that delivers in the background (`gnocchi://`): ``Publisher/publish(_:)`` queues,
/// a task sends. The role that owns the pipeline drains and closes these on shutdown.
public protocol BackgroundPublisher: Publisher {
    /// Waits until everything queued so far is delivered (or dropped), at most `timeout`.
    /// - Returns: false when the timeout passed first.
    func waitUntilDelivered(timeout: Duration) async -> Bool

    /// Stops the background sender; samples still queued are logged as lost.
    func close() async
}

/// What publishers get when they are built: the logger, and the `[publisher]` settings (the
/// signing secret of `udp://`, where `gnocchi://` finds the Gnocchi API and who it is there).
public struct PublisherContext: Sendable {
    /// The logger publishers log with.
    public var logger: Logger
    /// `[publisher]` of the configuration.
    public var configuration: PublisherConfiguration

    /// Creates a context.
    /// - Parameters:
    ///   - logger: The logger publishers log with.
    ///   - configuration: `[publisher]` (Ceilometer's secret and Stratus's defaults when omitted).
    public init(logger: Logger, configuration: PublisherConfiguration = PublisherConfiguration()) {
        self.logger = logger
        self.configuration = configuration
    }
}

/// A publisher URL that cannot be used: unknown scheme, missing path, bad option.
public struct PublisherConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// A batch a publisher could not deliver.
public struct PublishError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, with the target.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
