import Synchronization
import Testing
@testable import StratusStorage

@Suite("Incoming group commit")
struct IncomingGroupCommitTests {
    // MARK: state machine

    @Test func firstArrivalLeadsAndLaterOnesWait() {
        var machine = GroupCommitStateMachine<Int>()
        guard case .lead(1) = machine.arrive(1) else { Issue.record("first arrival must lead"); return }
        guard case .wait = machine.arrive(2), case .wait = machine.arrive(3) else { Issue.record("must wait"); return }
        #expect(machine.startFlush() == [2, 3])
        guard case .wait = machine.arrive(4) else { Issue.record("arrivals during a flush wait"); return }
        guard case .promote(4) = machine.finishFlush() else { Issue.record("next waiter leads"); return }
        #expect(machine.startFlush() == [])
        guard case .idle = machine.finishFlush() else { Issue.record("nobody left"); return }
        #expect(!machine.flushing)
        guard case .lead(5) = machine.arrive(5) else { Issue.record("idle again: next arrival leads"); return }
    }

    @Test func requeuedWaitersGoFirst() {
        var machine = GroupCommitStateMachine<Int>()
        _ = machine.arrive(1)
        _ = machine.arrive(2)
        _ = machine.arrive(3)
        let taken = machine.startFlush()
        _ = machine.arrive(4)
        guard case .promote(2) = machine.finishFlush(requeue: taken) else { Issue.record("first requeued leads"); return }
        #expect(machine.startFlush() == [3, 4])
    }

    @Test func upToTheLimitArrivalsLeadConcurrentFlushes() {
        var machine = GroupCommitStateMachine<Int>(maxConcurrentFlushes: 2)
        guard case .lead(1) = machine.arrive(1), case .lead(2) = machine.arrive(2) else { Issue.record("two leaders"); return }
        #expect(machine.flushes == 2)
        guard case .wait = machine.arrive(3), case .wait = machine.arrive(4) else { Issue.record("the third waits"); return }
        #expect(machine.startFlush() == [3, 4])  // the first leader takes the waiters
        #expect(machine.startFlush() == [])
        guard case .wait = machine.arrive(5) else { Issue.record("still two flushes"); return }
        guard case .promote(5) = machine.finishFlush() else { Issue.record("a waiter leads the next flush"); return }
        #expect(machine.flushes == 2)
        #expect(machine.startFlush() == [])
        guard case .idle = machine.finishFlush() else { Issue.record("nobody waits"); return }
        #expect(machine.flushes == 1)
        guard case .lead(6) = machine.arrive(6) else { Issue.record("a flush slot is free"); return }
        guard case .idle = machine.finishFlush(), case .idle = machine.finishFlush() else { Issue.record("all done"); return }
        #expect(!machine.flushing)
    }

    // MARK: committer

    @Test(.timeLimit(.minutes(1)))
    func flushesOverlapUpToTheLimit() async throws {
        let running = Mutex((now: 0, most: 0))
        let committer = GroupCommitter<Int>(maxConcurrentFlushes: 2) { _ in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            // Hold until a second flush runs (or long enough to show it never does).
            for _ in 0..<2000 where running.withLock({ $0.most }) < 2 {
                try await Task.sleep(for: .milliseconds(1))
            }
            running.withLock { $0.now -= 1 }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<6 { group.addTask { try await committer.submit(caller) } }
            try await group.waitForAll()
        }
        #expect(running.withLock { $0.most } == 2)
    }

    /// What the flushes saw, and the committer (to count its queue).
    private final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let committer = Mutex<GroupCommitter<Int>?>(nil)
    }

    /// Waits until every caller arrived: `count` in all, counting the `taken` items of the running
    /// flush (callers arriving before the leader starts its flush join it).
    private func waitUntilArrived(_ recorder: Recorder, _ count: Int, taken: Int) async throws {
        while (recorder.committer.withLock { $0 })?.queuedCount ?? 0 < count - taken {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentCallersShareFlushesAndAllReturnCommitted() async throws {
        let recorder = Recorder()
        let callers = 20
        let committer = GroupCommitter<Int> { items in
            let first = recorder.batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first { try await self.waitUntilArrived(recorder, callers, taken: items.count) }
        }
        recorder.committer.withLock { $0 = committer }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask { try await committer.submit(caller) }
            }
            try await group.waitForAll()
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<callers))
        // The first leader (with whoever arrived before it started its flush), then everybody else at once.
        #expect(batches.count == (batches[0].count == callers ? 1 : 2))
    }

    private struct Boom: Error {}

    @Test(.timeLimit(.minutes(1)))
    func aFailedFlushFailsEveryCallerInIt() async throws {
        let recorder = Recorder()
        let committer = GroupCommitter<Int> { items in
            let first = recorder.batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first { try await self.waitUntilArrived(recorder, 4, taken: items.count) } else { throw Boom() }
        }
        recorder.committer.withLock { $0 = committer }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for caller in 0..<4 {
                group.addTask { (try? await committer.submit(caller)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let first = recorder.batches.withLock { $0[0].count }
        #expect(outcomes.filter { $0 }.count == first)  // only the first flush succeeded
        #expect(recorder.batches.withLock { $0 }.count == (first == 4 ? 1 : 2))
        // The committer is not stuck: a later caller leads a new flush (which fails again here).
        await #expect(throws: Boom.self) { try await committer.submit(9) }
        #expect(recorder.batches.withLock { $0 }.last == [9])
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledLeaderGivesUpOnlyItsOwnItem() async throws {
        let recorder = Recorder()
        let committer = GroupCommitter<Int> { items in
            let first = recorder.batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first {
                try await self.waitUntilArrived(recorder, 4, taken: items.count)
                throw CancellationError()  // as NIOThreadPool.runIfActive does when it ran nothing
            }
        }
        recorder.committer.withLock { $0 = committer }
        let failed = await withTaskGroup(of: Int?.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    do { try await committer.submit(caller); return nil } catch { return caller }
                }
            }
            return await group.reduce(into: [Int]()) { if let caller = $1 { $0.append(caller) } }
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(failed.count == 1)
        #expect(batches.count == 2)
        #expect(batches[0].first == failed.first)
        #expect(Set(batches[1]) == Set(0..<4).subtracting(failed))
    }
}
