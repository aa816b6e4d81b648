import Logging
import StratusCore

/// What a task needs besides its sources: where samples go and how they are signed and batched.
public struct PollingTaskSettings: Sendable {
    /// `publisher.telemetry_secret`.
    public var telemetrySecret: String
    /// `polling.batch_size` (0: one message per publish call).
    public var batchSize: Int
    /// `polling.threads_to_process_pollsters` (1: one pollster at a time; 0: all at once).
    public var threadsToProcessPollsters: Int
    /// Where the messages go.
    public var publisher: any SamplePublisher
    /// The agent's metrics.
    public var metrics: PollingMetrics
    /// The plug-ins' environment.
    public var environment: PollingEnvironment
    /// The agent's logger.
    public var logger: Logger
    /// The wall clock in nanoseconds since the epoch (injected for tests).
    public var now: @Sendable () -> Int64
    /// Whether sources are visited in random order, as Ceilometer (tests turn it off).
    public var shuffleSources: Bool

    /// Creates settings.
    public init(
        telemetrySecret: String, batchSize: Int, threadsToProcessPollsters: Int = 1,
        publisher: any SamplePublisher, metrics: PollingMetrics, environment: PollingEnvironment, logger: Logger,
        now: @escaping @Sendable () -> Int64 = Timestamps.now, shuffleSources: Bool = true
    ) {
        self.telemetrySecret = telemetrySecret
        self.batchSize = batchSize
        self.threadsToProcessPollsters = threadsToProcessPollsters
        self.publisher = publisher
        self.metrics = metrics
        self.environment = environment
        self.logger = logger
        self.now = now
        self.shuffleSources = shuffleSources
    }
}

/// What one cycle of a task did.
public struct PollCycleReport: Sendable, Hashable {
    /// Samples produced, by meter.
    public var samples: [String: Int] = [:]
    /// Meter messages published.
    public var messages = 0
    /// Publish calls (batches).
    public var batches = 0
    /// Pollster runs that failed (permanent failures included).
    public var pollsterErrors = 0
    /// Discoveries that failed.
    public var discoveryErrors = 0
    /// Pollster runs skipped because no (new) resources were left.
    public var skipped = 0

    /// Total samples produced.
    public var totalSamples: Int { samples.values.reduce(0, +) }
}

/// All sources sharing one interval (Ceilometer's `PollingTask`): one cycle discovers resources,
/// runs each selected pollster once per source on resources not yet polled this cycle, signs,
/// batches and publishes.
public actor PollingTask {
    /// One source of the task and the pollsters its `meters` select.
    public struct Entry: Sendable {
        /// The source.
        public var source: PollingSource
        /// Its pollsters.
        public var pollsters: [any Pollster]

        /// Creates an entry.
        public init(source: PollingSource, pollsters: [any Pollster]) {
            self.source = source
            self.pollsters = pollsters
        }
    }

    /// Seconds between cycles.
    public nonisolated let interval: Int
    /// The sources and their pollsters.
    public nonisolated let entries: [Entry]
    private let discoverers: [String: any Discoverer]
    private let settings: PollingTaskSettings
    /// Resources a permanent error excluded, per source and meter.
    private var blacklist: [String: Set<PollingResource>] = [:]

    /// Creates a task.
    /// - Parameters:
    ///   - interval: Seconds between cycles.
    ///   - entries: The sources of this interval with their pollsters.
    ///   - discoverers: The loaded discoverers by name.
    ///   - settings: Publishing, signing, batching, metrics.
    public init(interval: Int, entries: [Entry], discoverers: [String: any Discoverer], settings: PollingTaskSettings) {
        self.interval = interval
        self.entries = entries
        self.discoverers = discoverers
        self.settings = settings
    }

    /// The resources blacklisted for `meter` in `source`.
    public func blacklisted(source: String, meter: String) -> Set<PollingResource> {
        blacklist[key(source, meter)] ?? []
    }

    /// Runs one cycle: discovery, polling, publishing.
    @discardableResult
    public func pollAndPublish() async -> PollCycleReport {
        var report = PollCycleReport()
        let cache = PollingCache()
        var discoveryCache: [String: [PollingResource]] = [:]
        var pollHistory: [String: Set<PollingResource>] = [:]
        let cycleStart = settings.now()
        let ordered = settings.shuffleSources ? entries.shuffled() : entries
        for entry in ordered {
            var logger = settings.logger
            logger[metadataKey: "polling.source"] = .string(entry.source.name)
            let context = PollContext(
                timestampNanoseconds: cycleStart, cache: cache, sourceName: entry.source.name, logger: logger,
                environment: settings.environment)
            // Resources = static + discovered; else each pollster's default discovery.
            var sourceResources = entry.source.resources.map(PollingResource.staticURI)
            sourceResources += await discover(entry.source.discovery, context: context, cache: &discoveryCache, report: &report)
            var runs: [(pollster: any Pollster, resources: [PollingResource])] = []
            for pollster in entry.pollsters {
                var candidates = sourceResources
                if candidates.isEmpty, let fallback = pollster.defaultDiscovery {
                    candidates = await discover([fallback], context: context, cache: &discoveryCache, report: &report)
                }
                let meter = pollster.meterName
                let black = blacklist[key(entry.source.name, meter)] ?? []
                var history = pollHistory[meter] ?? []
                var resources: [PollingResource] = []
                for candidate in candidates where history.insert(candidate).inserted {
                    if !black.contains(candidate) { resources.append(candidate) }
                }
                pollHistory[meter] = history
                guard !resources.isEmpty else {
                    logger.debug("Skip pollster, no new resources found this cycle", metadata: ["polling.meter": .string(meter)])
                    report.skipped += 1
                    continue
                }
                runs.append((pollster, resources))
            }
            let limit = settings.threadsToProcessPollsters == 0 ? max(runs.count, 1) : settings.threadsToProcessPollsters
            var index = 0
            while index < runs.count {
                let slice = runs[index..<min(index + limit, runs.count)]
                index += slice.count
                if slice.count == 1, let run = slice.first {
                    let outcome = await Self.poll(run.pollster, run.resources, context: context, now: settings.now)
                    await finish(outcome, source: entry.source.name, logger: logger, report: &report)
                } else {
                    let now = settings.now
                    let outcomes = await withTaskGroup(of: (Int, PollOutcome).self) { group in
                        for (offset, run) in slice.enumerated() {
                            group.addTask { (offset, await Self.poll(run.pollster, run.resources, context: context, now: now)) }
                        }
                        var collected: [(Int, PollOutcome)] = []
                        for await result in group { collected.append(result) }
                        return collected.sorted { $0.0 < $1.0 }.map(\.1)
                    }
                    for outcome in outcomes {
                        await finish(outcome, source: entry.source.name, logger: logger, report: &report)
                    }
                }
            }
        }
        settings.metrics.recordCycle(interval: interval)
        return report
    }

    // MARK: - Internals

    private struct PollOutcome: Sendable {
        var meter: String
        var timestamp: Int64
        var seconds: Double
        var result: Result<[Sample], any Error>
    }

    private static func poll(
        _ pollster: any Pollster, _ resources: [PollingResource], context: PollContext, now: @Sendable () -> Int64
    ) async -> PollOutcome {
        let start = now()
        var context = context
        context.timestampNanoseconds = start
        context.timestamp = PollTimestamp.isoformat(nanoseconds: start)
        let clock = ContinuousClock()
        let began = clock.now
        let result: Result<[Sample], any Error>
        do {
            result = .success(try await pollster.poll(resources: resources, context: context))
        } catch {
            result = .failure(error)
        }
        let elapsed = began.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return PollOutcome(meter: pollster.meterName, timestamp: start, seconds: seconds, result: result)
    }

    private func finish(_ outcome: PollOutcome, source: String, logger: Logger, report: inout PollCycleReport) async {
        let meter = outcome.meter
        settings.metrics.recordPoll(meter: meter, seconds: outcome.seconds)
        switch outcome.result {
        case .failure(let error as PollsterPermanentError):
            blacklist[key(source, meter), default: []].formUnion(error.resources)
            report.pollsterErrors += 1
            settings.metrics.recordError(meter: meter, kind: "permanent")
            logger.warning("Prevent pollster from polling these resources again", metadata: [
                "polling.meter": .string(meter), "error": .string(error.description),
            ])
        case .failure(let error):
            report.pollsterErrors += 1
            settings.metrics.recordError(meter: meter, kind: "pollster")
            logger.error("Continue after error from pollster", metadata: [
                "polling.meter": .string(meter), "error": .string("\(error)"),
            ])
        case .success(let samples):
            guard !samples.isEmpty else { return }
            report.samples[meter, default: 0] += samples.count
            settings.metrics.recordSamples(meter: meter, count: samples.count)
            let timestamp = PollTimestamp.isoformat(nanoseconds: outcome.timestamp)
            var batch: [MeterMessage] = []
            for var sample in samples {
                sample.timestamp = timestamp
                let message = MeterMessage(sample: sample, secret: settings.telemetrySecret)
                if settings.batchSize > 0 {
                    if batch.count >= settings.batchSize {
                        await send(batch, meter: meter, logger: logger, report: &report)
                        batch.removeAll(keepingCapacity: true)
                    }
                    batch.append(message)
                } else {
                    await send([message], meter: meter, logger: logger, report: &report)
                }
            }
            if !batch.isEmpty { await send(batch, meter: meter, logger: logger, report: &report) }
        }
    }

    private func send(_ messages: [MeterMessage], meter: String, logger: Logger, report: inout PollCycleReport) async {
        report.batches += 1
        do {
            try await settings.publisher.publish(messages)
            report.messages += messages.count
            settings.metrics.recordPublished(messages: messages.count, failed: false)
        } catch {
            settings.metrics.recordPublished(messages: messages.count, failed: true)
            settings.metrics.recordError(meter: meter, kind: "publish")
            logger.error("Unable to publish samples", metadata: [
                "polling.meter": .string(meter), "polling.messages": .stringConvertible(messages.count),
                "error": .string("\(error)"),
            ])
        }
    }

    private func discover(
        _ names: [String], context: PollContext, cache: inout [String: [PollingResource]], report: inout PollCycleReport
    ) async -> [PollingResource] {
        var resources: [PollingResource] = []
        for text in names {
            if let cached = cache[text] {
                resources += cached
                continue
            }
            let name = DiscoveryName(text)
            var found: [PollingResource] = []
            if let discoverer = discoverers[name.name] {
                do {
                    found = try await discoverer.discover(parameter: name.parameter, context: context)
                } catch {
                    report.discoveryErrors += 1
                    settings.metrics.recordError(meter: "discovery:\(name.name)", kind: "discovery")
                    context.logger.error("Unable to discover resources", metadata: [
                        "polling.discovery": .string(text), "error": .string("\(error)"),
                    ])
                }
            } else {
                report.discoveryErrors += 1
                context.logger.warning("Unknown discovery extension", metadata: ["polling.discovery": .string(text)])
            }
            cache[text] = found
            resources += found
        }
        return resources
    }

    private func key(_ source: String, _ meter: String) -> String { "\(source)\u{0}\(meter)" }
}
