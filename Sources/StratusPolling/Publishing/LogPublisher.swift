import Logging
import StratusCore

/// Logs each meter message at info level (the `log://` publisher).
public struct LogPublisher: SamplePublisher {
    private let logger: Logger

    /// Creates the publisher.
    public init(logger: Logger) {
        self.logger = logger
    }

    public func publish(_ messages: [MeterMessage]) async throws {
        for message in messages {
            logger.info("Publishing sample", metadata: [
                "sample.meter": .string(message.counterName ?? ""),
                "sample.resource_id": .string(message.fields["resource_id"]?.stringValue ?? ""),
                "sample.message": .string(message.json),
            ])
        }
    }
}
