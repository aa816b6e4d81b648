import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StratusCore

/// Delivers batches to one notification agent: up to four requests in flight; batches that arrive
/// meanwhile are merged into the next request. (A resource's consecutive samples are a polling
/// interval apart, so two requests in flight never carry samples of one resource that a stateful
/// transformer would need in order.)
///
/// A batch counts as delivered when the agent answers 200 (it answers after every sink had the
/// samples). When the agent is unreachable, times out or answers 5xx, the batch goes to the
/// spool, and so does every later batch until the spool has been replayed, oldest first, with
/// exponential backoff between attempts (1 s to 30 s) — no sample is lost while the spool has
/// room, and order is kept. A 4xx answer means the agent refuses the batch itself: it is dropped
/// and counted, never retried.
actor NotificationDestination {
    private struct Waiting {
        /// The batch's meter messages as JSON objects separated by commas.
        var messages: EncodedMessages
        var continuation: CheckedContinuation<Void, Never>
    }

    private enum Outcome {
        case delivered
        case refused(String)
        case failed(String)
    }

    let endpoint: NotifierURL.Endpoint
    private let url: String
    private let timeout: TimeAmount
    private let client: HTTPClient
    private let statistics: NotifierStatistics
    private let logger: Logger
    private var spool: NotificationSpool
    private var pending: [Waiting] = []
    private var inFlight = 0
    private var closed = false
    private var replaying = false
    private let maxInFlight = 4
    private var backoff: Duration = .seconds(1)
    private let maxMessagesPerRequest: Int

    static let initialBackoff: Duration = .seconds(1)
    static let maxBackoff: Duration = .seconds(30)

    init(
        endpoint: NotifierURL.Endpoint, spool: NotificationSpool, timeout: Double, client: HTTPClient,
        statistics: NotifierStatistics, logger: Logger, maxMessagesPerRequest: Int = 5_000
    ) {
        self.endpoint = endpoint
        url = "http://\(endpoint)\(Self.path)"
        self.timeout = .milliseconds(Int64(timeout * 1000))
        self.spool = spool
        self.client = client
        self.statistics = statistics
        self.logger = logger
        self.maxMessagesPerRequest = max(1, maxMessagesPerRequest)
        statistics.update { $0.waiting += spool.samples }
    }

    /// Where batches are posted (the notification agent's `NotificationListener.samplesPath`).
    static let path = "/v1/samples"

    /// Samples waiting in the spool.
    var spooledSamples: Int { spool.samples }

    /// Hands over a batch of encoded meter messages; returns once it is delivered, spooled or dropped.
    func deliver(_ messages: EncodedMessages) async {
        guard messages.count > 0 else { return }
        if !spool.isEmpty {
            // Replaying: keep the order, queue behind the spool.
            store(Self.body([messages]), samples: messages.count)
            startReplayIfNeeded()
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.append(Waiting(messages: messages, continuation: continuation))
            pump()
        }
    }

    /// Starts requests for waiting batches, up to `maxInFlight` at once (merged up to
    /// `maxMessagesPerRequest` messages each), while the spool is empty.
    private func pump() {
        while inFlight < maxInFlight, spool.isEmpty, !replaying, !pending.isEmpty {
            var taken: [Waiting] = []
            var count = 0
            while let next = pending.first, taken.isEmpty || count + next.messages.count <= maxMessagesPerRequest {
                pending.removeFirst()
                count += next.messages.count
                taken.append(next)
            }
            inFlight += 1
            Task { await self.send(taken, count: count) }
        }
    }

    private func send(_ taken: [Waiting], count: Int) async {
        let body = Self.body(taken.map(\.messages))
        let outcome = await post(body)
        inFlight -= 1
        switch outcome {
        case .delivered:
            statistics.update { $0.delivered += count }
        case .refused(let reason):
            statistics.update { $0.dropped += count }
            logger.error("Notification agent refused a batch; dropped", metadata: [
                "notifier.agent": .string("\(endpoint)"), "samples": .stringConvertible(count), "error": .string(reason),
            ])
        case .failed(let reason):
            statistics.update { $0.failures += 1 }
            store(body, samples: count)
            // Everything behind this batch now queues behind the spool.
            spoolPending()
            logger.warning("Notification agent unreachable; spooling", metadata: [
                "notifier.agent": .string("\(endpoint)"), "samples": .stringConvertible(count), "error": .string(reason),
            ])
            startReplayIfNeeded()
        }
        for waiting in taken { waiting.continuation.resume() }
        pump()
    }

    /// Stops replaying (the agent is shutting down); what is spooled stays on disk for the next run.
    func close() {
        closed = true
    }

    /// Starts replaying a spool left by a previous run.
    func resumeSpool() {
        if !spool.isEmpty { startReplayIfNeeded() }
    }

    private func startReplayIfNeeded() {
        guard !replaying else { return }
        replaying = true
        Task { await self.replay() }
    }

    /// Sends the spool, oldest first, one batch at a time, with backoff while the agent is down.
    private func replay() async {
        while !closed, let (body, samples) = spool.oldest() {
            switch await post(body) {
            case .delivered:
                spool.removeOldest()
                backoff = Self.initialBackoff
                statistics.update {
                    $0.delivered += samples
                    $0.replayed += samples
                    $0.waiting -= samples
                }
                if spool.isEmpty { logger.info("Spool replayed", metadata: ["notifier.agent": .string("\(endpoint)")]) }
            case .refused(let reason):
                spool.removeOldest()
                statistics.update {
                    $0.dropped += samples
                    $0.waiting -= samples
                }
                logger.error("Notification agent refused a spooled batch; dropped", metadata: [
                    "notifier.agent": .string("\(endpoint)"), "samples": .stringConvertible(samples), "error": .string(reason),
                ])
            case .failed(let reason):
                statistics.update { $0.failures += 1 }
                spoolPending()
                logger.warning("Notification agent unreachable; samples wait in the spool", metadata: [
                    "notifier.agent": .string("\(endpoint)"), "spool.samples": .stringConvertible(spool.samples),
                    "retry.in": .string("\(backoff)"), "error": .string(reason),
                ])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, Self.maxBackoff)
            }
        }
        replaying = false
        guard !closed else { return }
        pump()
    }

    /// Moves the batches waiting for a request into the spool (the agent is down) and releases their callers.
    private func spoolPending() {
        let waiting = pending
        pending = []
        for item in waiting {
            store(Self.body([item.messages]), samples: item.messages.count)
            item.continuation.resume()
        }
    }

    private func store(_ body: [UInt8], samples: Int) {
        do {
            let dropped = try spool.append(body, samples: samples)
            statistics.update {
                $0.spooled += samples
                $0.waiting += samples - dropped
                $0.dropped += dropped
            }
            if dropped > 0 {
                logger.error("Spool full: dropped the oldest samples", metadata: [
                    "notifier.agent": .string("\(endpoint)"), "dropped": .stringConvertible(dropped),
                    "spool.max_bytes": .stringConvertible(spool.maxBytes),
                ])
            }
        } catch {
            statistics.update { $0.dropped += samples }
            logger.error("Cannot write the spool; samples dropped", metadata: [
                "notifier.agent": .string("\(endpoint)"), "samples": .stringConvertible(samples), "error": .string("\(error)"),
            ])
        }
    }

    private func post(_ body: [UInt8]) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            switch response.status.code {
            case 200..<300: return .delivered
            case 400..<500: return .refused("HTTP \(response.status.code): \(text)")
            default: return .failed("HTTP \(response.status.code): \(text)")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    static func body(_ batches: [EncodedMessages]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(batches.reduce(2) { $0 + $1.bytes.count + 1 })
        body.append(UInt8(ascii: "["))
        for (index, batch) in batches.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: batch.bytes)
        }
        body.append(UInt8(ascii: "]"))
        return body
    }
}

/// Meter messages encoded as JSON objects separated by commas (a batch body without its brackets).
struct EncodedMessages: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    init() {}

    init(_ messages: some Sequence<MeterMessage>) {
        for message in messages { append(message) }
    }

    mutating func append(_ message: MeterMessage) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        TelemetryJSON.write(.dictionary(message.fields), to: &bytes)
        count += 1
    }
}
