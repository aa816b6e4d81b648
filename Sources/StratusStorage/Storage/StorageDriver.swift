import Foundation

/// Where aggregated data lives: per sack, the encoded metrics (splits and raw series).
///
/// Contract shared by every driver:
/// - `store(sack:_:)` replaces a sack's contents atomically and durably: readers see the old or the new state.
/// - Callers hold the sack lock (`lock(sack:)`) around load → process → store → delete incoming.
/// - Reads never fail on damaged data: damage is logged with its path and the intact part returned.
public protocol StorageDriver: Sendable {
    /// The current contents of a sack (empty when nothing is stored).
    func load(sack: Int) async throws -> SackContents
    /// Replaces a sack's contents atomically and durably.
    func store(sack: Int, _ contents: SackContents) async throws
    /// One metric's stored data, nil when none.
    func read(metric: UUID, sack: Int) async throws -> StoredMetric?
    /// Tries to take a sack's lock without waiting; nil when another processor holds it.
    func tryLock(sack: Int) throws -> (any SackLock)?
    /// Where a sack's data lives (a path for file drivers), for log messages.
    func location(sack: Int) -> String
    /// Bytes used on disk by everything stored.
    func diskUsage() throws -> Int
}

/// A held sack lock; released by `unlock()` (and by process exit).
public protocol SackLock: Sendable {
    func unlock()
}

extension StorageDriver {
    /// Takes a sack's lock, retrying until `timeout` (nanoseconds) has passed.
    /// - Throws: `StorageError.lockTimeout` when the sack stays locked.
    public func lock(sack: Int, timeout: Int64) async throws -> any SackLock {
        let deadline = ContinuousClock.now + .nanoseconds(timeout)
        while true {
            if let lock = try tryLock(sack: sack) { return lock }
            if ContinuousClock.now >= deadline {
                throw StorageError(code: .lockTimeout, message: "sack \(sack) is locked by another processor")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
