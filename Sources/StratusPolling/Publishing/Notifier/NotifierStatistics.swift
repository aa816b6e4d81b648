import Synchronization

/// What the `notifier://` publisher did, over every destination: delivered, spooled, replayed
/// from the spool, dropped (spool overflow or refused by the agent).
public final class NotifierStatistics: Sendable {
    /// A snapshot.
    public struct Counts: Sendable, Hashable {
        /// Samples acknowledged by a notification agent.
        public var delivered = 0
        /// Samples written to a spool because the agent was unreachable.
        public var spooled = 0
        /// Samples delivered from a spool.
        public var replayed = 0
        /// Samples dropped: the spool overflowed (oldest first) or the agent refused the batch (400).
        public var dropped = 0
        /// Failed delivery attempts.
        public var failures = 0
        /// Samples waiting in the spools now.
        public var waiting = 0
    }

    private let counts = Mutex(Counts())

    /// Creates zeroed statistics.
    public init() {}

    /// The current counts.
    public var snapshot: Counts { counts.withLock { $0 } }

    func update(_ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0) }
    }

    /// Prometheus text lines.
    public func render() -> String {
        let c = snapshot
        let rows: [(String, String, String, Int)] = [
            ("stratus_notifier_samples_delivered_total", "counter", "Samples acknowledged by a notification agent.", c.delivered),
            ("stratus_notifier_samples_spooled_total", "counter", "Samples spooled while an agent was unreachable.", c.spooled),
            ("stratus_notifier_samples_replayed_total", "counter", "Samples delivered from the spool.", c.replayed),
            ("stratus_notifier_samples_dropped_total", "counter", "Samples dropped (spool overflow or refused batch).", c.dropped),
            ("stratus_notifier_delivery_failures_total", "counter", "Failed delivery attempts.", c.failures),
            ("stratus_notifier_spool_samples", "gauge", "Samples waiting in the spool.", c.waiting),
        ]
        return rows.map { "# HELP \($0.0) \($0.2)\n# TYPE \($0.0) \($0.1)\n\($0.0) \($0.3)\n" }.joined()
    }
}
