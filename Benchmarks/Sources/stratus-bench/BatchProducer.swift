import Foundation
import StratusCore
import StratusPipeline
import Synchronization

/// The agents' side of the pipeline benchmark, on a thread of its own: makes each round's
/// batches, writes each as a polling agent's request body and decodes it with the notification
/// agent's decoder, just in time (at most `queueLimit` batches ahead of the pipeline), so that the
/// pipeline gets freshly decoded samples as the listener would hand them over, not samples made
/// long before and gone cold in memory.
///
/// Its CPU time (`CLOCK_THREAD_CPUTIME_ID`) is measured so that the benchmark can tell the
/// pipeline's CPU from the process's: the producer's total, and the decoding part alone (the
/// listener's share of a notification agent's work).
final class BatchProducer: Sendable {
    /// The batches of each sender, in order.
    let streams: [AsyncStream<[Sample]>]
    private let continuations: [AsyncStream<[Sample]>.Continuation]
    private let room: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)
    private let times = Mutex<(total: Double, decoding: Double, samples: Int)>((0, 0, 0))

    init(senders: Int, queueLimit: Int) {
        var streams: [AsyncStream<[Sample]>] = []
        var continuations: [AsyncStream<[Sample]>.Continuation] = []
        for _ in 0..<senders {
            let (stream, continuation) = AsyncStream<[Sample]>.makeStream()
            streams.append(stream)
            continuations.append(continuation)
        }
        self.streams = streams
        self.continuations = continuations
        room = DispatchSemaphore(value: queueLimit)
    }

    /// Starts the thread: `rounds` of `fleet`, decoded by `decoder`.
    func start(fleet: [PipelineBenchmark.Instance], rounds: Range<Int>, batchSize: Int, decoder: SampleBatchDecoder) {
        let thread = Thread { [self] in
            let started = Self.threadCPUSeconds()
            var decoding = 0.0
            var samples = 0
            for round in rounds {
                let perSender = PipelineBenchmark.makeSamples(fleet: fleet, rounds: round..<round + 1, batchSize: batchSize, senders: continuations.count)
                for (sender, batches) in perSender.enumerated() {
                    for batch in batches {
                        let body = Array(("[" + batch.map(\.jsonLine).joined(separator: ",") + "]").utf8)
                        let before = Self.threadCPUSeconds()
                        let decoded = (try? decoder.decode(bytes: body))?.samples ?? []
                        decoding += Self.threadCPUSeconds() - before
                        samples += decoded.count
                        room.wait()
                        continuations[sender].yield(decoded)
                    }
                }
            }
            times.withLock { $0 = (Self.threadCPUSeconds() - started, decoding, samples) }
            for continuation in continuations { continuation.finish() }
            done.signal()
        }
        thread.name = "bench-producer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Called by a sender for each batch it takes: makes room for another.
    func taken() {
        room.signal()
    }

    /// Waits for the thread to end; its CPU seconds in all, those spent decoding, and the samples decoded.
    func finish() async -> (total: Double, decoding: Double, samples: Int) {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.done.wait()
                continuation.resume()
            }
        }
        return times.withLock { $0 }
    }

    /// The calling thread's CPU time (user + system).
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
