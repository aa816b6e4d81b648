import AsyncHTTPClient
import Logging
import StratusCore

/// The `notifier://` publisher: sends the agent's signed meter messages over HTTP to one or more
/// notification agents (`stratus notification`). With several agents, every sample of a resource
/// goes to the same agent (``HashRing`` on `resource_id`), so stateful transformers such as
/// `rate_of_change` see all of a resource's samples. Unreachable agents get their batches through
/// a bounded spool (``NotificationDestination``).
public struct NotifierPublisher: SamplePublisher {
    private let ring: HashRing<NotifierURL.Endpoint>
    private let destinations: [NotificationDestination]
    /// What the publisher did.
    public let statistics: NotifierStatistics

    /// Creates the publisher of `url`; spools are opened (and left-over batches picked up) now.
    /// - Throws: ``PublisherError`` when a spool directory cannot be created.
    public init(
        url: NotifierURL, client: HTTPClient = NotifierPublisher.client, statistics: NotifierStatistics = NotifierStatistics(),
        logger: Logger
    ) throws(PublisherError) {
        ring = HashRing(url.endpoints) { $0.description }
        self.statistics = statistics
        var destinations: [NotificationDestination] = []
        for endpoint in url.endpoints {
            let directory = url.spoolDirectory.map { "\($0)/\(endpoint.host.replacingColons)_\(endpoint.port)" }
            let spool: NotificationSpool
            do {
                spool = try NotificationSpool(directory: directory, maxBytes: url.spoolMaxBytes)
            } catch {
                throw PublisherError("notifier://\(endpoint): cannot open the spool directory \(directory ?? ""): \(error)")
            }
            if !spool.isEmpty {
                logger.info("Spool holds batches from a previous run; replaying", metadata: [
                    "notifier.agent": .string("\(endpoint)"), "spool.samples": .stringConvertible(spool.samples),
                ])
            }
            let destination = NotificationDestination(
                endpoint: endpoint, spool: spool, timeout: url.timeout, client: client, statistics: statistics, logger: logger)
            if !spool.isEmpty { Task { await destination.resumeSpool() } }
            destinations.append(destination)
        }
        self.destinations = destinations
    }

    /// The HTTP client of every notifier publisher of the process: an unreachable agent fails at
    /// once (no connection retries inside the client: the spool is the retry), connecting times out
    /// after 3 s. Lives as long as the process.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Stops replaying the spools (shutdown); spooled batches stay on disk for the next start.
    public func close() async {
        for destination in destinations { await destination.close() }
    }

    /// The agent index of each resource id (for tests and operators).
    public func agentIndex(forResource resourceID: String) -> Int { ring.index(for: resourceID) }

    public func publish(_ messages: [MeterMessage]) async throws {
        if destinations.count == 1 {
            await destinations[0].deliver(EncodedMessages(messages))
            return
        }
        var split = Array(repeating: EncodedMessages(), count: destinations.count)
        for message in messages {
            let resource = message.fields["resource_id"]?.stringValue ?? ""
            split[ring.index(for: resource)].append(message)
        }
        await withDiscardingTaskGroup { group in
            for (index, part) in split.enumerated() where part.count > 0 {
                let destination = destinations[index]
                group.addTask { await destination.deliver(part) }
            }
        }
    }
}

extension String {
    fileprivate var replacingColons: String { String(map { $0 == ":" ? "_" : $0 }) }
}
