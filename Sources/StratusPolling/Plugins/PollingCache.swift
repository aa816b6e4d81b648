import Synchronization

/// A cache shared by the pollsters of one polling cycle (Ceilometer's per-cycle `cache`), so that
/// several pollsters use one expensive call (libvirt bulk stats, one HTTP listing) per cycle.
///
/// Values are stored by key, with the type the pollster chose.
public final class PollingCache: Sendable {
    private let storage = Mutex<[String: any Sendable]>([:])

    /// Creates an empty cache.
    public init() {}

    /// The value stored under `key`, if it has type `T`.
    public func value<T: Sendable>(_ key: String, as type: T.Type = T.self) -> T? {
        storage.withLock { $0[key] as? T }
    }

    /// Stores `value` under `key`, replacing what was there.
    public func set<T: Sendable>(_ key: String, _ value: T) {
        storage.withLock { $0[key] = value }
    }

    /// The value under `key`, computed by `make` and stored the first time it is asked for.
    /// A failing `make` stores nothing, so the next pollster tries again. Pollsters of one source
    /// run one after the other; two running at once may both compute the value (the last stored
    /// wins), which is harmless for the idempotent reads this cache is for.
    public func value<T: Sendable>(_ key: String, orCompute make: () async throws -> T) async rethrows -> T {
        if let cached: T = value(key) { return cached }
        let made = try await make()
        set(key, made)
        return made
    }

    /// The keys stored.
    public var keys: [String] { storage.withLock { Array($0.keys) } }
}
