import StratusCore
import Synchronization

/// `test://`: keeps every batch in memory (tests, `stratus pipeline dry-run`).
public final class TestPublisher: Publisher {
    private let state = Mutex<[[Sample]]>([])

    /// Creates an empty publisher.
    public init() {}

    public func publish(_ samples: [Sample]) async throws {
        state.withLock { $0.append(samples) }
    }

    /// The batches received, in order.
    public var batches: [[Sample]] { state.withLock { $0 } }

    /// Every sample received, in order.
    public var samples: [Sample] { state.withLock { $0.flatMap { $0 } } }
}
