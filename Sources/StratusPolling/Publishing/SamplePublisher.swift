import StratusCore

/// Where a polling agent hands its meter messages (Ceilometer's notifier; the pipeline's
/// publishers later). One call per batch.
public protocol SamplePublisher: Sendable {
    /// Publishes one batch (one notification in Ceilometer).
    /// - Throws: When the messages could not be delivered; the agent logs it and goes on.
    func publish(_ messages: [MeterMessage]) async throws
}

/// A publisher that cannot deliver.
public struct PublisherError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the target.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Sends every batch to each of several publishers.
public struct FanOutPublisher: SamplePublisher {
    /// The publishers, in order.
    public let publishers: [any SamplePublisher]

    /// Creates the publisher.
    public init(_ publishers: [any SamplePublisher]) {
        self.publishers = publishers
    }

    public func publish(_ messages: [MeterMessage]) async throws {
        var failures: [String] = []
        for publisher in publishers {
            do {
                try await publisher.publish(messages)
            } catch {
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty { throw PublisherError(failures.joined(separator: "; ")) }
    }
}
