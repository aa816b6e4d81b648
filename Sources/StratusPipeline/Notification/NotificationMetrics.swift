import Synchronization

/// The notification agent's own counters, rendered as Prometheus text on its `/metrics`.
public final class NotificationMetrics: Sendable {
    /// A snapshot of the counters.
    public struct Counts: Sendable, Hashable {
        /// Batches received over HTTP.
        public var batches = 0
        /// Meter messages received.
        public var received = 0
        /// Messages rejected because their signature did not match (`publisher.telemetry_secret`).
        public var badSignature = 0
        /// Messages that were not usable samples (not an object, no counter_name, …).
        public var invalid = 0
        /// Samples handed to the pipeline.
        public var accepted = 0
        /// Samples the pipeline dropped for a missing or non-numeric volume.
        public var invalidVolume = 0
        /// Samples handed to publishers (a sample sent to two publishers counts twice).
        public var published = 0
        /// Publisher calls that failed.
        public var publisherFailures = 0
        /// Pipeline reloads, and rejected reloads.
        public var reloads = 0
        public var rejectedReloads = 0
    }

    private let counts = Mutex(Counts())

    /// Creates zeroed counters.
    public init() {}

    /// The current counts.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// Applies `change` to the counters.
    public func update(_ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0) }
    }

    /// Prometheus text exposition.
    public func render() -> String {
        let c = snapshot
        let rows: [(String, String, Int)] = [
            ("stratus_notification_batches_total", "Sample batches received over HTTP.", c.batches),
            ("stratus_notification_messages_total", "Meter messages received.", c.received),
            ("stratus_notification_bad_signature_total", "Messages rejected for a bad signature.", c.badSignature),
            ("stratus_notification_invalid_messages_total", "Messages that were not usable samples.", c.invalid),
            ("stratus_notification_samples_accepted_total", "Samples handed to the pipeline.", c.accepted),
            ("stratus_notification_invalid_volume_total", "Samples dropped for a missing or non-numeric volume.", c.invalidVolume),
            ("stratus_notification_samples_published_total", "Samples handed to publishers.", c.published),
            ("stratus_notification_publisher_failures_total", "Publisher calls that failed.", c.publisherFailures),
            ("stratus_notification_pipeline_reloads_total", "pipeline.yaml reloads.", c.reloads),
            ("stratus_notification_pipeline_rejected_reloads_total", "Invalid pipeline.yaml changes ignored.", c.rejectedReloads),
        ]
        var text = ""
        for (name, help, value) in rows {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        return text
    }
}
