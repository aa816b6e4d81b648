#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import StratusCore

/// Runs samples through a pipeline.yaml (reference B7): each sample goes to the sinks of every
/// source that selects its meter; each sink runs its transformer chain, then every publisher.
///
/// Per batch, as Ceilometer's `PublishContext`: samples whose volume is missing or not a number
/// are dropped and counted; each (source, sink) pipeline receives the samples its source
/// selects; then every pipeline flushes its sink's transformers and publishes what they release
/// downstream. A transformer error drops that sample (logged); a publisher error is logged and
/// the sink's other publishers still run.
///
/// Each publisher is called once per batch with everything its sinks produced for it, in sink
/// order: one call, not one per sink, for a `gnocchi://` the sinks share.
///
/// ``reloadIfChanged()`` re-reads the file when its modification time and content hash changed,
/// keeping the running pipeline when the new file is invalid.
public actor PipelineManager {
    /// Builds the publisher of one URL of one sink.
    public typealias PublisherBuilder = @Sendable (_ sink: String, _ url: PublisherURL) throws -> any Publisher

    /// What became of one batch.
    public struct BatchReport: Sendable, Hashable {
        /// Samples received.
        public var received = 0
        /// Samples dropped because their volume was missing or not a number.
        public var invalidVolume = 0
        /// Samples a transformer failed on (dropped).
        public var transformerErrors = 0
        /// Samples handed to publishers (a sample sent to two publishers counts twice).
        public var published = 0
        /// Publisher calls that failed.
        public var publisherFailures = 0
    }

    /// The outcome of ``reloadIfChanged()``.
    public enum ReloadOutcome: Sendable, Hashable {
        /// The file has not changed (or the manager has no file).
        case unchanged
        /// The new definitions are running.
        case reloaded
        /// The new file is invalid (or unreadable); the previous pipeline keeps running.
        case rejected(PipelineDefinitionError)
    }

    struct SinkRuntime: Sendable {
        var name: String
        var transformers: [any Transformer]
        var transformerNames: [String]
        var publishers: [(url: PublisherURL, publisher: any Publisher)]
        /// For each publisher, its slot in the batch's outbox (shared publishers share a slot).
        var outboxSlots: [Int] = []
    }

    /// What one batch hands to one publisher.
    struct OutboxEntry {
        var publisher: any Publisher
        var url: PublisherURL
        var sinks: [String] = []
        var samples: [Sample] = []
    }

    /// The running definitions.
    public private(set) var definition: PipelineDefinition
    /// Samples dropped so far for a missing or non-numeric volume.
    public private(set) var invalidVolumeCount = 0
    /// Publisher calls that failed so far.
    public private(set) var publisherFailureCount = 0

    private var sinks: [SinkRuntime]
    /// Publishers in outbox slot order (see `SinkRuntime.outboxSlots`).
    private var outboxPublishers: [(url: PublisherURL, publisher: any Publisher)] = []
    /// What the batch being processed has for each publisher slot.
    private var outbox: [OutboxEntry?] = []
    private var routes: [PipelineDefinition.Route]
    /// The routes selecting each meter name seen (see `routes(selecting:)`).
    private var routesByMeter: [String: [Int]] = [:]
    private let path: String?
    private var fileState: PipelineFileState?
    private let transformers: TransformerRegistry
    private let publishers: PublisherRegistry
    private let context: PublisherContext
    private let builder: PublisherBuilder?
    private let clock: @Sendable () -> Double
    private let logger: Logger

    /// Loads `path` and builds its pipeline.
    /// - Parameters:
    ///   - path: The pipeline.yaml.
    ///   - transformers: The transformer table.
    ///   - publishers: The publisher schemes (also used to validate URLs).
    ///   - context: What publishers are built with; its logger is the manager's.
    ///   - publisherBuilder: Replaces the registry when building the running publishers (dry-run).
    ///   - clock: Now in seconds since the epoch (retention times).
    /// - Throws: ``PipelineDefinitionError`` with every problem of the file.
    public init(
        path: String, transformers: TransformerRegistry = .builtIn, publishers: PublisherRegistry = .builtIn,
        context: PublisherContext, publisherBuilder: PublisherBuilder? = nil,
        clock: @escaping @Sendable () -> Double = PipelineManager.wallClock
    ) throws(PipelineDefinitionError) {
        let state = try PipelineFileState.read(path)
        let definition = try PipelineDefinition.parse(
            yaml: state.text, file: path, transformers: transformers, publishers: publishers, context: context)
        try self.init(
            definition: definition, path: path, fileState: state, transformers: transformers, publishers: publishers,
            context: context, publisherBuilder: publisherBuilder, clock: clock)
    }

    /// Builds the pipeline of checked definitions (no file: ``reloadIfChanged()`` does nothing).
    /// - Throws: ``PipelineDefinitionError`` when a transformer or publisher cannot be built.
    public init(
        definition: PipelineDefinition, transformers: TransformerRegistry = .builtIn, publishers: PublisherRegistry = .builtIn,
        context: PublisherContext, publisherBuilder: PublisherBuilder? = nil,
        clock: @escaping @Sendable () -> Double = PipelineManager.wallClock
    ) throws(PipelineDefinitionError) {
        try self.init(
            definition: definition, path: nil, fileState: nil, transformers: transformers, publishers: publishers,
            context: context, publisherBuilder: publisherBuilder, clock: clock)
    }

    private init(
        definition: PipelineDefinition, path: String?, fileState: PipelineFileState?, transformers: TransformerRegistry,
        publishers: PublisherRegistry, context: PublisherContext, publisherBuilder: PublisherBuilder?,
        clock: @escaping @Sendable () -> Double
    ) throws(PipelineDefinitionError) {
        self.definition = definition
        self.path = path
        self.fileState = fileState
        self.transformers = transformers
        self.publishers = publishers
        self.context = context
        builder = publisherBuilder
        self.clock = clock
        logger = context.logger
        sinks = try Self.build(definition, transformers: transformers, publishers: publishers, context: context, builder: publisherBuilder)
        routes = definition.routes
        outboxPublishers = Self.assignOutboxSlots(&sinks)
    }

    /// Gives each sink's publishers their outbox slot: one per publisher instance (a shared
    /// publisher object gets one slot for all its sinks).
    private static func assignOutboxSlots(_ sinks: inout [SinkRuntime]) -> [(url: PublisherURL, publisher: any Publisher)] {
        var slots: [(url: PublisherURL, publisher: any Publisher)] = []
        var byObject: [ObjectIdentifier: Int] = [:]
        for index in sinks.indices {
            sinks[index].outboxSlots = sinks[index].publishers.map { entry in
                if type(of: entry.publisher) is AnyClass {
                    let object = ObjectIdentifier(entry.publisher as AnyObject)
                    if let slot = byObject[object] { return slot }
                    byObject[object] = slots.count
                }
                slots.append(entry)
                return slots.count - 1
            }
        }
        return slots
    }

    /// The system's wall clock, in seconds since the epoch.
    public static let wallClock: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private static func build(
        _ definition: PipelineDefinition, transformers: TransformerRegistry, publishers: PublisherRegistry,
        context: PublisherContext, builder: PublisherBuilder?
    ) throws(PipelineDefinitionError) -> [SinkRuntime] {
        var problems: [ConfigurationError] = []
        var runtimes: [SinkRuntime] = []
        // One instance per URL text for the registry's shared schemes (see `PublisherRegistry.sharedSchemes`).
        var shared: [String: any Publisher] = [:]
        for sink in definition.sinks {
            var chain: [any Transformer] = []
            for step in sink.transformers {
                guard let type = transformers.types[step.name] else {
                    problems.append(ConfigurationError(file: definition.file, line: step.line, reason: "sink '\(sink.name)': unknown transformer '\(step.name)'"))
                    continue
                }
                do {
                    chain.append(try type.init(parameters: step.parameters))
                } catch {
                    problems.append(ConfigurationError(
                        file: definition.file, line: step.line, reason: "sink '\(sink.name)': transformer '\(step.name)': \(error)"))
                }
            }
            var built: [(url: PublisherURL, publisher: any Publisher)] = []
            for url in sink.publishers {
                do {
                    if let builder {
                        built.append((url, try builder(sink.name, url)))
                    } else if publishers.sharedSchemes.contains(url.scheme) {
                        let publisher = try shared[url.text] ?? publishers.make(url, context: context)
                        shared[url.text] = publisher
                        built.append((url, publisher))
                    } else {
                        built.append((url, try publishers.make(url, context: context)))
                    }
                } catch {
                    problems.append(ConfigurationError(file: definition.file, line: sink.line, reason: "sink '\(sink.name)': \(error)"))
                }
            }
            runtimes.append(SinkRuntime(name: sink.name, transformers: chain, transformerNames: sink.transformers.map(\.name), publishers: built))
        }
        guard problems.isEmpty else { throw PipelineDefinitionError(problems) }
        return runtimes
    }

    /// The publishers of sink `name`, in order (empty for an unknown sink).
    public func publishers(ofSink name: String) -> [(url: PublisherURL, publisher: any Publisher)] {
        sinks.first { $0.name == name }?.publishers ?? []
    }

    /// Runs one batch through every pipeline, then flushes them.
    /// - Returns: what became of the batch.
    @discardableResult
    public func process(_ samples: [Sample]) async -> BatchReport {
        var report = BatchReport()
        report.received = samples.count
        var valid: [Sample] = []
        valid.reserveCapacity(samples.count)
        for sample in samples {
            if sample.numericVolume != nil {
                valid.append(sample)
                continue
            }
            report.invalidVolume += 1
            logger.warning(
                sample.volume == .null ? "Dropping sample without volume" : "Dropping sample whose volume is not a number",
                metadata: [
                    "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
                    "sample.volume": .string("\(sample.volume)"),
                ])
        }
        invalidVolumeCount += report.invalidVolume
        let current = routes
        var selected: [[Sample]] = Array(repeating: [], count: current.count)
        var lastName: String?
        var lastRoutes: [Int] = []
        for sample in valid {
            let name = sample.name
            if name != lastName {
                lastRoutes = routes(selecting: name)
                lastName = name
            }
            for route in lastRoutes { selected[route].append(sample) }
        }
        for (index, route) in current.enumerated() where !selected[index].isEmpty {
            publish(sink: route.sink, from: 0, selected[index], report: &report)
        }
        for route in current {
            flush(sink: route.sink, report: &report)
        }
        await deliverOutbox(report: &report)
        return report
    }

    /// The routes whose source selects meter `name`, in route order (remembered per name while
    /// few names are known; forgotten when the pipeline is reloaded).
    private func routes(selecting name: String) -> [Int] {
        if let known = routesByMeter[name] { return known }
        let found = routes.indices.filter { definition.sources[routes[$0].source].meters.selects(name) }
        if routesByMeter.count < 4_096 { routesByMeter[name] = found }
        return found
    }

    /// Flushes every sink's transformers (the retention timer): samples whose `retention_time`
    /// has passed are released and published.
    @discardableResult
    public func flush() async -> BatchReport {
        var report = BatchReport()
        for index in sinks.indices { flush(sink: index, report: &report) }
        await deliverOutbox(report: &report)
        return report
    }

    private func flush(sink index: Int, report: inout BatchReport) {
        guard index < sinks.count else { return }
        let context = TransformerContext(now: clock(), logger: logger)
        for position in sinks[index].transformers.indices {
            guard index < sinks.count, position < sinks[index].transformers.count else { return }
            let released = sinks[index].transformers[position].flush(context: context)
            if !released.isEmpty { publish(sink: index, from: position + 1, released, report: &report) }
        }
    }

    private func publish(sink index: Int, from start: Int, _ samples: [Sample], report: inout BatchReport) {
        guard index < sinks.count else { return }
        var transformed: [Sample] = []
        if start >= sinks[index].transformers.count {
            transformed = samples
        } else {
            let context = TransformerContext(now: clock(), logger: logger)
            transformed.reserveCapacity(samples.count)
            next: for sample in samples {
                var current = sample
                for position in start..<sinks[index].transformers.count {
                    do {
                        guard let output = try sinks[index].transformers[position].handle(current, context: context) else { continue next }
                        current = output
                    } catch {
                        report.transformerErrors += 1
                        logger.warning("Pipeline: exit after error from transformer", metadata: [
                            "pipeline.sink": .string(sinks[index].name),
                            "pipeline.transformer": .string(sinks[index].transformerNames[position]),
                            "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
                            "error": .string(error.description),
                        ])
                        continue next
                    }
                }
                transformed.append(current)
            }
        }
        guard !transformed.isEmpty else { return }
        let sink = sinks[index]
        if outbox.count < outboxPublishers.count { outbox = Array(repeating: nil, count: outboxPublishers.count) }
        for (position, slot) in sink.outboxSlots.enumerated() {
            if outbox[slot] == nil {
                outbox[slot] = OutboxEntry(publisher: sink.publishers[position].publisher, url: sink.publishers[position].url)
            }
            if outbox[slot]!.sinks.last != sink.name { outbox[slot]!.sinks.append(sink.name) }
            outbox[slot]!.samples += transformed
        }
    }

    /// Hands each publisher what the batch produced for it, one call each, in slot order.
    private func deliverOutbox(report: inout BatchReport) async {
        let entries = outbox
        outbox = []
        for case let entry? in entries {
            do {
                try await entry.publisher.publish(entry.samples)
                report.published += entry.samples.count
            } catch {
                report.publisherFailures += 1
                publisherFailureCount += 1
                logger.error("Pipeline: continue after error from publisher", metadata: [
                    "pipeline.sink": .string(entry.sinks.joined(separator: ",")), "pipeline.publisher": .string(entry.url.text),
                    "error": .string("\(error)"),
                ])
            }
        }
    }

    /// Re-reads the file when its modification time and content hash changed; a valid file
    /// replaces the running pipeline (transformer state starts afresh), an invalid one is logged
    /// and the running pipeline kept.
    public func reloadIfChanged() async -> ReloadOutcome {
        guard let path, let previous = fileState else { return .unchanged }
        guard let modification = PipelineFileState.modificationTime(path), modification != previous.modificationTime else {
            return .unchanged
        }
        let state: PipelineFileState
        do {
            state = try PipelineFileState.read(path)
        } catch {
            logger.error("Pipeline definitions unreadable, keeping the running pipeline", metadata: ["pipeline.file": .string(path)])
            return .rejected(error)
        }
        guard state.hash != previous.hash else {
            fileState = state
            return .unchanged
        }
        do {
            let definition = try PipelineDefinition.parse(
                yaml: state.text, file: path, transformers: transformers, publishers: publishers, context: context)
            let runtimes = try Self.build(definition, transformers: transformers, publishers: publishers, context: context, builder: builder)
            self.definition = definition
            sinks = runtimes
            routes = definition.routes
            routesByMeter = [:]
            outboxPublishers = Self.assignOutboxSlots(&sinks)
            fileState = state
            logger.info("Pipeline definitions reloaded", metadata: ["pipeline.file": .string(path)])
            return .reloaded
        } catch {
            // Remember the rejected content so that it is not re-parsed (and re-logged) until it changes again.
            fileState = state
            logger.error("Invalid pipeline definitions, keeping the running pipeline", metadata: [
                "pipeline.file": .string(path), "error": .string(error.description),
            ])
            return .rejected(error)
        }
    }
}
