import Logging
import ServiceLifecycle
import StratusCore
import Synchronization
import UnixSignals

/// The polling agent (Ceilometer's `AgentManager`): one ``PollingTask`` per distinct interval,
/// each run immediately and then every interval; polling definitions reloaded on SIGHUP and
/// when the file changes (an invalid new file is reported and the running one kept).
public final class PollingAgent: Service, Sendable {
    /// The loaded plug-ins.
    public let plugins: PollingPlugins
    /// Where the definitions come from.
    public let definitionsFile: PollingDefinitionsFile
    /// Signing, batching, publishing, metrics.
    public let settings: PollingTaskSettings
    /// The length of one interval second (tests shorten it).
    public let secondLength: Duration
    /// How often the definitions file is checked for changes; nil: never (SIGHUP only).
    public let reloadCheckInterval: Duration?
    /// Whether SIGHUP reloads the definitions.
    public let reloadOnSIGHUP: Bool
    private let state: Mutex<(definitions: PollingDefinitions, text: String)>
    private let reloads: AsyncStream<Void>
    private let reloadContinuation: AsyncStream<Void>.Continuation

    /// Creates the agent and reads its definitions.
    /// - Parameters:
    ///   - plugins: The loaded pollsters and discoverers.
    ///   - definitionsFile: `polling.yaml`, or the embedded default.
    ///   - settings: Signing, batching, publishing, metrics.
    ///   - secondLength: The length of one interval second (1 s except in tests).
    ///   - reloadCheckInterval: How often to look for a changed file; nil disables.
    ///   - reloadOnSIGHUP: Whether SIGHUP reloads.
    /// - Throws: ``PollingDefinitionsError`` when the definitions are invalid.
    public init(
        plugins: PollingPlugins, definitionsFile: PollingDefinitionsFile, settings: PollingTaskSettings,
        secondLength: Duration = .seconds(1), reloadCheckInterval: Duration? = .seconds(5), reloadOnSIGHUP: Bool = true
    ) throws(PollingDefinitionsError) {
        self.plugins = plugins
        self.definitionsFile = definitionsFile
        self.settings = settings
        self.secondLength = secondLength
        self.reloadCheckInterval = reloadCheckInterval
        self.reloadOnSIGHUP = reloadOnSIGHUP
        let text = try definitionsFile.text()
        let definitions = try definitionsFile.parse(text, plugins: plugins)
        state = Mutex((definitions, text))
        (reloads, reloadContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The definitions in force.
    public var definitions: PollingDefinitions { state.withLock { $0.definitions } }

    /// The tasks the definitions in force give.
    public func makeTasks() -> [PollingTask] { plugins.tasks(for: definitions, settings: settings) }

    /// Runs one cycle of every task, in interval order (`--once`).
    public func runOnce() async -> [PollCycleReport] {
        var reports: [PollCycleReport] = []
        for task in makeTasks() { reports.append(await task.pollAndPublish()) }
        return reports
    }

    /// Asks the running agent to reread its definitions (what SIGHUP does).
    public func requestReload() {
        reloadContinuation.yield()
    }

    /// Rereads the definitions now; keeps the running ones when the new text is invalid.
    /// - Parameter onlyIfChanged: Do nothing when the text did not change.
    /// - Returns: Whether new definitions are in force.
    @discardableResult
    public func reload(onlyIfChanged: Bool = false) -> Bool {
        let logger = settings.logger
        let text: String
        let definitions: PollingDefinitions
        do {
            text = try definitionsFile.text()
            if onlyIfChanged, text == state.withLock({ $0.text }) { return false }
            definitions = try definitionsFile.parse(text, plugins: plugins)
        } catch {
            settings.metrics.recordReload(failed: true)
            // Remember the rejected text so that an unchanged bad file is reported once.
            if let rejected = try? definitionsFile.text() { state.withLock { $0.text = rejected } }
            for problem in error.problems {
                logger.error("Invalid polling definitions, keeping the running ones", metadata: [
                    "polling.file": .string(problem.file ?? ""), "polling.line": .stringConvertible(problem.line ?? 0),
                    "polling.reason": .string(problem.reason),
                ])
            }
            return false
        }
        state.withLock { $0 = (definitions, text) }
        settings.metrics.recordReload(failed: false)
        logger.info("Reloaded polling definitions", metadata: [
            "polling.file": .string(definitions.file), "polling.sources": .stringConvertible(definitions.sources.count),
        ])
        return true
    }

    /// Polls until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if self.reloadOnSIGHUP {
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) { self.requestReload() }
                    }
                }
                if let every = self.reloadCheckInterval, self.definitionsFile.path != nil {
                    group.addTask { await self.watchFile(every: every) }
                }
                group.addTask { await self.schedule() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    // MARK: - Internals

    private func schedule() async {
        var reloadRequests = reloads.makeAsyncIterator()
        while !Task.isCancelled {
            let tasks = makeTasks()
            settings.logger.info("Polling tasks started", metadata: [
                "polling.intervals": .string(tasks.map { "\($0.interval)" }.joined(separator: ",")),
                "polling.pollsters": .stringConvertible(plugins.pollsters.count),
            ])
            await withTaskGroup(of: Void.self) { group in
                for task in tasks {
                    group.addTask { await self.runTimer(task) }
                }
                while await reloadRequests.next() != nil {
                    if reload() { break }
                }
                group.cancelAll()
            }
        }
    }

    /// Runs `task` now, then every interval (missed ticks are skipped, not run late in a burst).
    private func runTimer(_ task: PollingTask) async {
        let clock = ContinuousClock()
        let period = secondLength * task.interval
        var next = clock.now
        while !Task.isCancelled {
            await task.pollAndPublish()
            next = next.advanced(by: period)
            let now = clock.now
            while next < now { next = next.advanced(by: period) }
            do {
                try await clock.sleep(until: next, tolerance: nil)
            } catch {
                return
            }
        }
    }

    private func watchFile(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            guard let text = try? definitionsFile.text() else { continue }
            if text != state.withLock({ $0.text }) { requestReload() }
        }
    }
}
