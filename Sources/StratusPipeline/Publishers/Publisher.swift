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

/// What publishers get when they are built.
public struct PublisherContext: Sendable {
    /// The logger publishers log with.
    public var logger: Logger

    /// Creates a context.
    public init(logger: Logger) {
        self.logger = logger
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
