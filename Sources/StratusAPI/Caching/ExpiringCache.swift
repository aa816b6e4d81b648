import Synchronization

/// A small map whose entries expire a fixed time after they were stored, shared by every request of an API
/// process. It keeps the index out of the measures hot paths: in steady state a batch of measures names the
/// same metrics over and over, and reading them again costs a database round trip each time.
///
/// Bounded: when `capacity` entries are held, the expired ones are dropped, and if that is not enough, all.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[Key: Entry]>([:])
    /// How long an entry is served; zero disables the cache.
    let timeToLive: Duration
    let capacity: Int

    init(timeToLive: Duration, capacity: Int = 100_000) {
        self.timeToLive = timeToLive
        self.capacity = capacity
    }

    var isEnabled: Bool { timeToLive > .zero }

    /// The live value for `key`, if any.
    func value(for key: Key) -> Value? {
        guard isEnabled else { return nil }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key], entry.expires > now else { return nil }
            return entry.value
        }
    }

    /// The live values of `keys`, and the keys that have none, in the order given.
    func values(for keys: [Key]) -> (found: [Value], missing: [Key]) {
        guard isEnabled else { return ([], keys) }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            var found: [Value] = []
            var missing: [Key] = []
            found.reserveCapacity(keys.count)
            for key in keys {
                if let entry = entries[key], entry.expires > now {
                    found.append(entry.value)
                } else {
                    missing.append(key)
                }
            }
            return (found, missing)
        }
    }

    /// Stores values under their keys, valid for `timeToLive` from now.
    func store(_ values: [(Key, Value)]) {
        guard isEnabled, !values.isEmpty else { return }
        let expires = ContinuousClock.now + timeToLive
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count + values.count > capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count + values.count > capacity { entries.removeAll(keepingCapacity: true) }
            }
            for (key, value) in values { entries[key] = Entry(value: value, expires: expires) }
        }
    }

    /// Forgets `key`, after a change made through this process.
    func remove(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Forgets everything.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
