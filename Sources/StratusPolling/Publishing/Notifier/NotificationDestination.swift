import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StratusCore

/// Delivers batches to one notification agent, in order, one request at a time: batches that
/// arrive while a request is in flight are merged into the next one.
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
    private var running = false
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
            startIfNeeded()
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.append(Waiting(messages: messages, continuation: continuation))
            startIfNeeded()
        }
    }

    private func startIfNeeded() {
        guard !running else { return }
        running = true
        Task { await self.sendLoop() }
    }

    private func sendLoop() async {
        while true {
            if let (body, samples) = spool.oldest() {
                switch await send(body) {
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
                continue
            }
            guard !pending.isEmpty else {
                running = false
                return
            }
            var taken: [Waiting] = []
            var count = 0
            while let next = pending.first, taken.isEmpty || count + next.messages.count <= maxMessagesPerRequest {
                pending.removeFirst()
                count += next.messages.count
                taken.append(next)
            }
            let body = Self.body(taken.map(\.messages))
            switch await send(body) {
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
                logger.warning("Notification agent unreachable; spooling", metadata: [
                    "notifier.agent": .string("\(endpoint)"), "samples": .stringConvertible(count), "error": .string(reason),
                ])
            }
            for waiting in taken { waiting.continuation.resume() }
        }
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

    private func send(_ body: [UInt8]) async -> Outcome {
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
