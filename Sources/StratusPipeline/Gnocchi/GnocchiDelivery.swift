import Logging
import NIOCore
import StratusCore

/// What the Gnocchi publisher did so far.
public struct GnocchiPublisherStatistics: Sendable, Hashable {
    /// Samples waiting or in flight.
    public var queuedSamples = 0
    /// Samples Gnocchi accepted.
    public var deliveredSamples = 0
    /// Samples dropped because the queue was full (the oldest go first).
    public var droppedOverflow = 0
    /// Samples Gnocchi refused (4xx), or whose resource could not be created, or without a
    /// timestamp or a finite volume.
    public var droppedRejected = 0
    /// Samples of meters gnocchi_resources.yaml does not map (each meter is logged once).
    public var unknownMeterSamples = 0
    /// Samples of the `filter_project` project.
    public var filteredSamples = 0
    /// Requests that found Gnocchi unreachable or failing (5xx), each followed by a backoff.
    public var unavailableAttempts = 0
    /// `POST /v1/batch/resources/metrics/measures` requests sent (retries included).
    public var batchRequests = 0
    /// Resources created after a batch named them unknown.
    public var resourcesCreated = 0
    /// Resources whose attributes were updated (PATCH) because they changed.
    public var resourcesPatched = 0

    /// All zero.
    public init() {}
}

/// How the Gnocchi publisher retries while Gnocchi is down: exponential backoff.
public struct GnocchiRetryPolicy: Sendable, Hashable {
    /// The first delay.
    public var initialDelay: Duration
    /// The longest delay.
    public var maximumDelay: Duration

    /// Creates a policy (100 ms doubling up to 30 s by default).
    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(30)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }
}

/// The queue and background sender of the Gnocchi publisher (reference B10): samples are mapped
/// into chunks on arrival; one task sends the chunks in order, one POST each, retrying with
/// backoff while Gnocchi is unavailable. The queue is bounded in samples. While Gnocchi answers,
/// a full queue makes `enqueue` wait for room (the pipeline slows down to Gnocchi's pace and
/// nothing is lost); while Gnocchi is unavailable the oldest chunks are dropped and counted.
actor GnocchiDelivery {
    struct Settings: Sendable {
        var definition: GnocchiResourcesDefinition
        var metricMap: [String: (resource: Int, archivePolicy: String)]
        var filterProject: String?
        var maxQueueSamples: Int
        var chunkSamples: Int
        var attributeCacheSize: Int
        var retry: GnocchiRetryPolicy
    }

    private let settings: Settings
    private let client: GnocchiClient
    private let logger: Logger
    private var sealed: [GnocchiChunk] = []
    private var open = GnocchiChunk()
    private var inFlightSamples = 0
    private var statistics = GnocchiPublisherStatistics()
    private var loggedMeters: Set<String> = []
    private var setUp = false
    /// What each resource's attributes were when last created or PATCHed.
    private var attributeStates: GenerationCache<AttributeState>
    private var wakeup: AsyncStream<Void>.Continuation?
    /// `enqueue` calls waiting for room in the queue.
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []
    /// Failed attempts to deliver the current chunk (0 while Gnocchi answers).
    private var consecutiveFailures = 0
    private var worker: Task<Void, Never>?
    private var closed = false

    init(settings: Settings, client: GnocchiClient, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
        attributeStates = GenerationCache(capacity: settings.attributeCacheSize)
    }

    deinit {
        wakeup?.finish()
    }

    /// The counters so far.
    var currentStatistics: GnocchiPublisherStatistics {
        var copy = statistics
        copy.queuedSamples = queuedSamples + inFlightSamples
        return copy
    }

    private var queuedSamples: Int { sealed.reduce(open.samples) { $0 + $1.samples } }

    /// Maps a batch into the queue and wakes the sender (started on the first batch).
    func enqueue(_ samples: [Sample]) async {
        // Back-pressure: while Gnocchi answers, wait for the sender to make room for the batch rather
        // than drop (a batch larger than the whole queue waits for an empty queue).
        while !closed, consecutiveFailures == 0, worker != nil, queuedSamples + inFlightSamples > 0,
              queuedSamples + inFlightSamples + samples.count > settings.maxQueueSamples {
            await withCheckedContinuation { roomWaiters.append($0) }
        }
        guard !closed else { return }
        let definitions = settings.definition.resources
        var lastMeter: (name: String, entry: (resource: Int, archivePolicy: String)?)?
        for sample in samples {
            if let project = settings.filterProject, isGnocchiActivity(sample, project: project) {
                statistics.filteredSamples += 1
                continue
            }
            let entry: (resource: Int, archivePolicy: String)?
            if let last = lastMeter, last.name == sample.name {
                entry = last.entry
            } else {
                entry = settings.metricMap[sample.name]
                lastMeter = (sample.name, entry)
            }
            guard let (index, policy) = entry else {
                statistics.unknownMeterSamples += 1
                if loggedMeters.insert(sample.name).inserted {
                    logger.warning("Gnocchi publisher: meter not handled by Gnocchi, dropped", metadata: ["sample.meter": .string(sample.name)])
                }
                continue
            }
            guard let value = sample.numericVolume, value.isFinite, let timestamp = sample.timestamp else {
                statistics.droppedRejected += 1
                continue
            }
            let id = Self.gnocchiID(sample.resourceID)
            open.add(
                resource: id, definition: index, userID: sample.userID, metric: sample.name, archivePolicy: policy, unit: sample.unit,
                timestamp: timestamp, value: value, sample: sample, attributes: definitions[index].attributes,
                attributesReadOnlyMetadata: definitions[index].attributesReadOnlyMetadata)
        }
        if open.samples >= settings.chunkSamples { seal() }
        var dropped = 0
        // Only while Gnocchi is unavailable (or before the sender has started): otherwise the wait above made room.
        while queuedSamples > settings.maxQueueSamples, consecutiveFailures > 0 || worker == nil {
            if sealed.isEmpty {
                dropped += open.samples
                open = GnocchiChunk()
            } else {
                dropped += sealed.removeFirst().samples
            }
        }
        if dropped > 0 {
            statistics.droppedOverflow += dropped
            logger.warning("Gnocchi publisher: queue full, oldest samples dropped", metadata: [
                "gnocchi.dropped": "\(dropped)", "gnocchi.dropped_total": "\(statistics.droppedOverflow)",
                "gnocchi.max_queue_samples": "\(settings.maxQueueSamples)",
            ])
        }
        guard !open.isEmpty || !sealed.isEmpty else { return }
        startWorkerIfNeeded()
        wakeup?.yield()
    }

    /// The resource id as Gnocchi takes it in a batch: `/` replaced by `_` (Ceilometer's rule).
    static func gnocchiID(_ id: String) -> String {
        let hasSlash = id.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "/")) } ?? id.utf8.contains(UInt8(ascii: "/"))
        return hasSlash ? id.replacing("/", with: "_") : id
    }

    /// Whether nothing is waiting or in flight.
    var isIdle: Bool { open.isEmpty && sealed.isEmpty && inFlightSamples == 0 }

    /// Stops the sender; what is still queued is counted as lost in the log.
    func close() {
        closed = true
        resumeRoomWaiters()
        worker?.cancel()
        wakeup?.finish()
        let lost = queuedSamples + inFlightSamples
        if lost > 0 {
            logger.warning("Gnocchi publisher closed with samples not delivered", metadata: ["gnocchi.lost": "\(lost)"])
        }
    }

    private func isGnocchiActivity(_ sample: Sample, project: String) -> Bool {
        if sample.projectID == project || sample.projectName == project { return true }
        if sample.resourceID == project, let entry = settings.metricMap[sample.name] {
            return settings.definition.resources[entry.resource].resourceType == "swift_account"
        }
        return false
    }

    private func seal() {
        guard !open.isEmpty else { return }
        sealed.append(open)
        open = GnocchiChunk()
    }

    private func startWorkerIfNeeded() {
        guard worker == nil else { return }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeup = continuation
        worker = Task { [weak self] in
            for await _ in stream {
                guard let self else { return }
                await self.sendQueued()
            }
        }
    }

    private func takeNext() -> GnocchiChunk? {
        if sealed.isEmpty { seal() }
        guard !sealed.isEmpty else { return nil }
        let chunk = sealed.removeFirst()
        inFlightSamples = chunk.samples
        return chunk
    }

    private func sendQueued() async {
        while !Task.isCancelled, let chunk = takeNext() {
            await deliver(chunk)
            inFlightSamples = 0
            resumeRoomWaiters()
        }
        resumeRoomWaiters()
    }

    private func resumeRoomWaiters() {
        guard !roomWaiters.isEmpty else { return }
        let waiters = roomWaiters
        roomWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Sends one chunk until Gnocchi takes it or refuses it, backing off while it is unavailable.
    private func deliver(_ original: GnocchiChunk) async {
        var chunk = original
        var delay = settings.retry.initialDelay
        var failures = 0
        defer { consecutiveFailures = 0 }
        while true {
            do {
                try await ensureSetUp()
                try await post(&chunk)
                statistics.deliveredSamples += chunk.samples
                if failures > 0 {
                    logger.info("Gnocchi publisher: Gnocchi reachable again, queued samples delivered", metadata: ["gnocchi.failures": "\(failures)"])
                }
                await updateAttributes(of: chunk)
                return
            } catch {
                switch error {
                case .rejected(let status, let message):
                    statistics.droppedRejected += chunk.samples
                    logger.error("Gnocchi publisher: batch refused, dropped", metadata: [
                        "gnocchi.status": "\(status)", "error": .string(message), "gnocchi.samples": "\(chunk.samples)",
                    ])
                    return
                case .unavailable(let reason):
                    statistics.unavailableAttempts += 1
                    failures += 1
                    consecutiveFailures = failures
                    // Gnocchi is down: waiting publishers go on, and the queue drops its oldest when full.
                    resumeRoomWaiters()
                    if failures == 1 || failures.isMultiple(of: 20) {
                        logger.warning("Gnocchi publisher: Gnocchi unavailable, keeping samples and retrying", metadata: [
                            "error": .string(reason), "gnocchi.queued": "\(queuedSamples + inFlightSamples)",
                            "gnocchi.retry_in": "\(delay)",
                        ])
                    }
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        return
                    }
                    delay = min(delay * 2, settings.retry.maximumDelay)
                }
            }
        }
    }

    /// Creates the archive policies of the file, then the resource types it uses that Gnocchi lacks (once).
    private func ensureSetUp() async throws(GnocchiFailure) {
        guard !setUp else { return }
        for policy in settings.definition.archivePolicies {
            let answer = try await client.send("POST", "archive_policy", json: policy.body)
            if answer.status >= 300, answer.status != 409 {
                logger.error("Gnocchi publisher: cannot create archive policy", metadata: [
                    "archive_policy.name": .string(policy.name), "gnocchi.status": "\(answer.status)",
                    "error": .string(GnocchiClient.message(of: answer)),
                ])
            }
        }
        var seen: Set<String> = []
        for resource in settings.definition.resources where seen.insert(resource.resourceType).inserted {
            let path = "resource_type/" + HTTPSender.percentEncoded(resource.resourceType)
            let existing = try await client.send("GET", path)
            guard existing.status == 404 else { continue }
            let answer = try await client.send("POST", "resource_type", json: GnocchiResourceTypes.body(for: resource))
            if answer.status >= 300, answer.status != 409 {
                logger.error("Gnocchi publisher: cannot create resource type", metadata: [
                    "resource_type.name": .string(resource.resourceType), "gnocchi.status": "\(answer.status)",
                    "error": .string(GnocchiClient.message(of: answer)),
                ])
            }
        }
        setUp = true
    }

    private static let batchPath = "batch/resources/metrics/measures?create_metrics=true"

    /// Posts the chunk; on 400 "Unknown resources" creates them and posts once more.
    private func post(_ chunk: inout GnocchiChunk) async throws(GnocchiFailure) {
        statistics.batchRequests += 1
        let answer = try await client.send("POST", Self.batchPath, body: chunk.encode())
        if (200..<300).contains(answer.status) { return }
        guard answer.status == 400, case .dictionary(let description) = GnocchiClient.description(of: answer),
              description["cause"] == "Unknown resources", case .list(let unknown)? = description["detail"] else {
            throw .rejected(status: answer.status, message: GnocchiClient.message(of: answer))
        }
        var ids: [String] = []
        for item in unknown {
            guard case .dictionary(let entry) = item, case .string(let id)? = entry["original_resource_id"] ?? entry["resource_id"] else { continue }
            if !ids.contains(id) { ids.append(id) }
        }
        for id in ids {
            guard let resource = chunk.resource(id) else { continue }
            try await create(id, resource, in: &chunk)
        }
        guard !chunk.isEmpty else { return }
        statistics.batchRequests += 1
        let retry = try await client.send("POST", Self.batchPath, body: chunk.encode())
        if (200..<300).contains(retry.status) { return }
        throw .rejected(status: retry.status, message: GnocchiClient.message(of: retry))
    }

    private func create(_ id: String, _ resource: GnocchiChunk.Resource, in chunk: inout GnocchiChunk) async throws(GnocchiFailure) {
        let type = settings.definition.resources[resource.definition].resourceType
        let extra = resource.extra
        var body = extra
        body["id"] = .string(id)
        body["user_id"] = TelemetryValue(resource.userID)
        let answer = try await client.send("POST", "resource/" + HTTPSender.percentEncoded(type), json: .dictionary(body))
        switch answer.status {
        case 200..<300:
            statistics.resourcesCreated += 1
            attributeStates[id] = AttributeState(digest: Self.hash(extra), inputs: resource.singleInputs)
        case 409:
            break
        default:
            let removed = chunk.remove(resource: id)
            statistics.droppedRejected += removed
            logger.error("Gnocchi publisher: cannot create resource, its samples are dropped", metadata: [
                "resource.id": .string(id), "resource.type": .string(type), "gnocchi.status": "\(answer.status)",
                "error": .string(GnocchiClient.message(of: answer)), "gnocchi.samples": "\(removed)",
            ])
        }
    }

    /// PATCHes the resources whose attributes changed since last seen (digest cache); stops at the
    /// first request that finds Gnocchi unavailable (the next chunk tries again). A resource whose
    /// attributes come from one sample's project and metadata, equal to last time's (with metadata
    /// interned by the decoder, the same dictionary), is skipped without computing them.
    private func updateAttributes(of chunk: GnocchiChunk) async {
        for position in chunk.resources.indices {
            let id = chunk.resources[position].id
            let known = attributeStates[id]
            if let before = known?.inputs, chunk.resources[position].madeOnlyBy(before) { continue }
            let resource = chunk.resources[position]
            let inputs = resource.singleInputs
            let extra = resource.extra
            guard !extra.isEmpty else { continue }
            let digest = Self.hash(extra)
            guard known?.digest != digest else {
                attributeStates[id] = AttributeState(digest: digest, inputs: inputs)
                continue
            }
            let type = settings.definition.resources[resource.definition].resourceType
            let path = "resource/" + HTTPSender.percentEncoded(type) + "/" + HTTPSender.percentEncoded(id)
            do {
                let answer = try await client.send("PATCH", path, json: .dictionary(extra))
                // A refused update (4xx) is remembered too: it is tried again only when the attributes change.
                attributeStates[id] = AttributeState(digest: digest, inputs: inputs)
                if (200..<300).contains(answer.status) {
                    statistics.resourcesPatched += 1
                } else {
                    logger.warning("Gnocchi publisher: cannot update resource attributes", metadata: [
                        "resource.id": .string(id), "gnocchi.status": "\(answer.status)",
                        "error": .string(GnocchiClient.message(of: answer)),
                    ])
                }
            } catch {
                logger.warning("Gnocchi publisher: cannot update resource attributes", metadata: [
                    "resource.id": .string(id), "error": .string(error.description),
                ])
                return
            }
        }
    }

    /// A 64-bit digest of the attributes, to notice when they change (Ceilometer hashes their sorted
    /// JSON with blake2b): FNV-1a over each value's type and bytes, and a dictionary's entries combined
    /// in an order-independent way, so that no keys need sorting and no JSON text is made.
    static func hash(_ attributes: [String: TelemetryValue]) -> UInt64 {
        AttributeDigest.dictionary(attributes)
    }
}

/// What the Gnocchi publisher last sent as a resource's attributes: their digest, and the sample
/// inputs they were computed from when one sample's `project_id` and metadata made them all.
struct AttributeState: Sendable {
    var digest: UInt64
    var inputs: GnocchiChunk.AttributeInputs?
}

/// A bounded map approximating least-recently-used eviction with two generations: when the
/// current one is full it becomes the previous one (the older previous one is forgotten); a hit
/// in the previous generation is promoted.
struct GenerationCache<Value: Sendable>: Sendable {
    let capacity: Int
    private var current: [String: Value] = [:]
    private var previous: [String: Value] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Entries held (at most twice the capacity).
    var count: Int { current.count + previous.count }

    subscript(key: String) -> Value? {
        mutating get {
            if let value = current[key] { return value }
            guard let value = previous[key] else { return nil }
            insert(key, value)
            return value
        }
        set {
            if let newValue { insert(key, newValue) } else {
                current[key] = nil
                previous[key] = nil
            }
        }
    }

    private mutating func insert(_ key: String, _ value: Value) {
        if current[key] == nil, current.count >= capacity {
            previous = current
            current = [:]
        }
        current[key] = value
    }
}
