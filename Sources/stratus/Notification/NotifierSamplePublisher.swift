import Logging
import StratusCore
import StratusPipeline
import StratusPolling
import Synchronization

/// `notifier://HOST:PORT[,…]` in pipeline.yaml: forwards a sink's samples, signed with
/// `publisher.telemetry_secret`, to other notification agents over the same HTTP transport as the
/// polling agents (consistent hashing on resource_id, bounded spool — in memory unless the URL
/// names a `spool_dir`). The connection and spool are set up on the first batch, so that
/// `stratus pipeline validate` builds it without side effects.
final class NotifierSamplePublisher: StratusPipeline.Publisher {
    private let url: NotifierURL
    private let secret: String
    private let logger: Logger
    private let publisher = Mutex<NotifierPublisher?>(nil)

    init(url: PublisherURL, context: PublisherContext) throws {
        do {
            self.url = try NotifierURL(url.text)
        } catch {
            throw PublisherConfigurationError(error.description)
        }
        secret = context.configuration.telemetrySecret
        logger = context.logger
    }

    func publish(_ samples: [Sample]) async throws {
        let target = try publisher.withLock { current -> NotifierPublisher in
            if let current { return current }
            let made = try NotifierPublisher(url: url, logger: logger)
            current = made
            return made
        }
        try await target.publish(samples.map { MeterMessage(sample: $0, secret: secret) })
    }
}
