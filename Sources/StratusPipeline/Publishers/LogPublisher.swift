import Logging
import StratusCore

/// `log://`: logs each sample at info level with swift-log.
public struct LogPublisher: Publisher {
    private let logger: Logger

    /// Creates the publisher.
    public init(logger: Logger) {
        self.logger = logger
    }

    public func publish(_ samples: [Sample]) async throws {
        for sample in samples {
            logger.info("Publishing sample", metadata: [
                "sample.meter": .string(sample.name),
                "sample.resource_id": .string(sample.resourceID),
                "sample.json": .string(sample.jsonLine),
            ])
        }
    }
}
