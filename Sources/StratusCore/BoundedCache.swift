import Synchronization

/// Results remembered by key, up to `capacity` keys (beyond, new keys are not remembered and their
/// results are computed every time): for answers that depend only on a small set of inputs, such
/// as meter names, asked for every sample.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    /// The most keys remembered.
    public let capacity: Int

    /// Creates an empty cache.
    public init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    /// The remembered value of `key`, else `compute(key)` (remembered while there is room).
    public func value(for key: Key, _ compute: (Key) -> Value) -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute(key)
        entries.withLock { entries in
            if entries.count < capacity { entries[key] = value }
        }
        return value
    }
}
