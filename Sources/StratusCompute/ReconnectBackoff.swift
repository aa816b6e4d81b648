/// When to try again to open a lost libvirt connection: exponential backoff from
/// ``initialDelay`` doubling up to ``maximumDelay``, reset by a success.
///
/// A pure value: the caller passes the current time (seconds on a monotonic clock), so tests drive
/// time instead of sleeping.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The wait after the first failure, in seconds.
    public var initialDelay: Double
    /// The longest wait between two attempts, in seconds.
    public var maximumDelay: Double
    /// Consecutive failures since the last success.
    public private(set) var failures = 0
    /// The earliest time of the next attempt; nil when an attempt may be made now.
    public private(set) var nextAttempt: Double?

    /// Creates a backoff; defaults: 1 s doubling to 60 s.
    public init(initialDelay: Double = 1, maximumDelay: Double = 60) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Whether an attempt may be made at `now`.
    public func mayAttempt(at now: Double) -> Bool {
        guard let nextAttempt else { return true }
        return now >= nextAttempt
    }

    /// Records a failed attempt at `now` and schedules the next one.
    public mutating func recordFailure(at now: Double) {
        failures += 1
        nextAttempt = now + currentDelay
    }

    /// Records a successful attempt: the next failure waits ``initialDelay`` again.
    public mutating func recordSuccess() {
        failures = 0
        nextAttempt = nil
    }

    /// The wait after the failures recorded so far.
    public var currentDelay: Double {
        guard failures > 0 else { return 0 }
        let exponent = min(failures - 1, 62)
        return min(maximumDelay, initialDelay * Double(1 << UInt64(exponent)))
    }
}
