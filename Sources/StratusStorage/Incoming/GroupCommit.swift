import Synchronization

/// The decisions of a group commit, as a value-type state machine: who writes, who waits.
///
/// A caller arriving while fewer than `maxConcurrentFlushes` flushes run leads one: it takes
/// everything queued and writes it with its own item. Callers arriving meanwhile queue for the next
/// flush; when a flush ends, the first of them is promoted to lead it. With more than one flush at
/// a time, a flush may start while another is still syncing (the log's `fdatasync`s overlap).
struct GroupCommitStateMachine<Waiter> {
    /// What an arriving caller does.
    enum ArrivalAction {
        /// Lead a flush now (the waiter handed back is the caller itself).
        case lead(Waiter)
        /// Wait: the caller was queued for the next flush.
        case wait
    }

    /// What happens when a flush ends.
    enum FinishAction {
        /// Nobody is queued: the next caller to arrive leads.
        case idle
        /// This queued waiter leads the next flush.
        case promote(Waiter)
    }

    /// The number of flushes that may run at once.
    let maxConcurrentFlushes: Int
    /// The number of flushes running.
    private(set) var flushes = 0
    private var queue: [Waiter] = []

    init(maxConcurrentFlushes: Int = 1) {
        precondition(maxConcurrentFlushes >= 1, "at least one flush must be allowed")
        self.maxConcurrentFlushes = maxConcurrentFlushes
    }

    /// Whether a flush runs.
    var flushing: Bool { self.flushes > 0 }

    /// The number of callers waiting for the next flush.
    var queuedCount: Int { self.queue.count }

    /// A caller arrives with an item to commit.
    mutating func arrive(_ waiter: Waiter) -> ArrivalAction {
        if self.flushes >= self.maxConcurrentFlushes {
            self.queue.append(waiter)
            return .wait
        }
        self.flushes += 1
        return .lead(waiter)
    }

    /// The leader starts its flush: it takes every queued waiter.
    mutating func startFlush() -> [Waiter] {
        precondition(self.flushing, "startFlush without a leader")
        defer { self.queue = [] }
        return self.queue
    }

    /// The leader's flush ended; `requeue` are the waiters whose items were not written and must go
    /// first in the next flush.
    mutating func finishFlush(requeue: [Waiter] = []) -> FinishAction {
        precondition(self.flushing, "finishFlush without a leader")
        if !requeue.isEmpty {
            self.queue.insert(contentsOf: requeue, at: 0)
        }
        guard !self.queue.isEmpty else {
            self.flushes -= 1
            return .idle
        }
        return .promote(self.queue.removeFirst())
    }
}

/// Commits items in groups: concurrent ``submit(_:)`` callers share one call of `flush`.
///
/// No task is created: the leader's own task runs the flush, and waiters are suspended on
/// continuations that the leader resumes.
final class GroupCommitter<Item: Sendable>: Sendable {
    private enum Role: Sendable { case lead, committed }

    private struct Waiter: Sendable {
        var item: Item
        var continuation: CheckedContinuation<Role, any Error>
    }

    private let state: Mutex<GroupCommitStateMachine<Waiter>>
    private let flush: @Sendable ([Item]) async throws -> Void

    /// Creates a committer.
    /// - Parameters:
    ///   - maxConcurrentFlushes: how many calls of `flush` may run at once.
    ///   - flush: writes items durably, in order. It may throw `CancellationError` only if it wrote
    ///     nothing; the waiters are then queued again for the next leader.
    init(maxConcurrentFlushes: Int = 1, flush: @escaping @Sendable ([Item]) async throws -> Void) {
        self.state = Mutex(GroupCommitStateMachine(maxConcurrentFlushes: maxConcurrentFlushes))
        self.flush = flush
    }

    /// The number of callers waiting for the next flush.
    var queuedCount: Int { self.state.withLock { $0.queuedCount } }

    /// Returns once `item` is committed, possibly by another caller's flush.
    /// - Throws: the error of the flush that tried to write `item`.
    func submit(_ item: Item) async throws {
        let role = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Role, any Error>) in
            let action = self.state.withLock { $0.arrive(Waiter(item: item, continuation: continuation)) }
            if case .lead(let me) = action {
                me.continuation.resume(returning: .lead)
            }
        }
        guard role == .lead else { return }

        let followers = self.state.withLock { $0.startFlush() }
        var failure: (any Error)?
        var requeue: [Waiter] = []
        do {
            try await self.flush([item] + followers.map(\.item))
            for follower in followers { follower.continuation.resume(returning: .committed) }
        } catch is CancellationError {
            // Nothing was written: the leader gives up its own item only.
            failure = CancellationError()
            requeue = followers
        } catch {
            failure = error
            for follower in followers { follower.continuation.resume(throwing: error) }
        }
        let next = self.state.withLock { $0.finishFlush(requeue: requeue) }
        if case .promote(let leader) = next {
            leader.continuation.resume(returning: .lead)
        }
        if let failure { throw failure }
    }
}
