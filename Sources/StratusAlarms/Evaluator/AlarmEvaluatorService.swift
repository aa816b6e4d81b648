import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import StratusCore

/// `stratus evaluator` (reference C3, C8): every `evaluation_interval` it takes the due alarms, claims
/// each with a compare-and-set on `evaluate_timestamp` (several evaluators share the alarms without
/// evaluating one twice), evaluates them with bounded concurrency against the Gnocchi API, records
/// transitions (state, reason, history) and sends the actions of the decided state — in database order.
public struct AlarmEvaluatorService: Service {
    let store: any AlarmStore
    let evaluator: AlarmEvaluator
    let dispatcher: NotifierDispatcher
    let interval: Duration
    let maxConcurrency: Int
    /// How many due alarms the round reads from the store at a time.
    let pageSize: Int
    let logger: Logger
    let now: @Sendable () -> Date
    /// Resources to close when the service ends (the Gnocchi HTTP client).
    let onShutdown: @Sendable () async -> Void

    /// Creates a service from its parts (tests pass a fake fetcher and store).
    public init(
        store: any AlarmStore, evaluator: AlarmEvaluator, dispatcher: NotifierDispatcher, interval: Duration,
        maxConcurrency: Int = 32, pageSize: Int = 500, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        onShutdown: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.evaluator = evaluator
        self.dispatcher = dispatcher
        self.interval = interval
        self.maxConcurrency = max(1, maxConcurrency)
        self.pageSize = max(1, pageSize)
        self.logger = logger
        self.now = now
        self.onShutdown = onShutdown
    }

    /// The evaluator of a configuration: a Gnocchi client for `gnocchi_url` (or `defaultGnocchiURL`, the
    /// local API) with the configured auth, and the notifier dispatcher; `onShutdown` runs when the service ends.
    /// - Throws: `ConfigurationError` when the Gnocchi URL does not parse.
    public static func make(
        configuration: EvaluatorConfiguration, store: any AlarmStore, defaultGnocchiURL: String,
        testNotifications: TestNotifications? = nil, logger: Logger,
        onShutdown: @escaping @Sendable () async -> Void = {}
    ) throws(ConfigurationError) -> AlarmEvaluatorService {
        let urlText = configuration.gnocchiURL ?? defaultGnocchiURL
        guard let url = URL(string: urlText), url.host != nil else {
            throw ConfigurationError(reason: "evaluator.gnocchi_url is not a URL: '\(urlText)'")
        }
        let auth: GnocchiAuth
        switch configuration.authMode {
        case "keystone", "noauth":
            auth = .keystoneHeaders(userID: configuration.userID, projectID: configuration.projectID, roles: configuration.roles)
        case "remoteuser": auth = .remoteUser(configuration.user)
        case "token": auth = .token(configuration.token ?? "")
        default: auth = .basic(user: configuration.user)
        }
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConcurrency
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        let timeout = TimeAmount.nanoseconds(configuration.httpTimeout)
        httpConfiguration.timeout = .init(connect: .seconds(10), read: timeout)
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let client = GnocchiClient(endpoint: url, auth: auth, httpClient: httpClient, timeout: timeout)
        let dispatcher = NotifierDispatcher(
            maxRetries: configuration.restNotifierMaxRetries, timeout: timeout, testNotifications: testNotifications,
            logger: logger)
        return AlarmEvaluatorService(
            store: store, evaluator: AlarmEvaluator(fetcher: client, additionalIngestionLag: configuration.additionalIngestionLag),
            dispatcher: dispatcher, interval: .nanoseconds(configuration.evaluationInterval),
            maxConcurrency: configuration.maxConcurrency, logger: logger,
            onShutdown: {
                try? await httpClient.shutdown()
                await onShutdown()
            })
    }

    public func run() async throws {
        logger.info("alarm evaluator started", metadata: ["evaluation.interval": "\(interval)"])
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                let round = await runRound()
                if round.claimed > 0 {
                    logger.info("evaluation round done", metadata: [
                        "alarms.due": "\(round.due)", "alarms.claimed": "\(round.claimed)",
                        "alarms.evaluated": "\(round.evaluated)", "alarms.transitions": "\(round.transitions)",
                        "round.seconds": "\(round.seconds)",
                    ])
                }
                next = next + interval
                if next < clock.now { next = clock.now }
                try? await Task.sleep(until: next, clock: clock)
            }
        }
        await shutdown()
        logger.info("alarm evaluator stopped")
    }

    /// Closes the HTTP clients (and what `onShutdown` closes); `run()` does it when it ends. Call it after
    /// driving rounds with ``runRound()`` directly.
    public func shutdown() async {
        await dispatcher.shutdown()
        await onShutdown()
    }

    /// One evaluation round at the current time: due alarms, claimed, evaluated, recorded, notified. The due alarms
    /// are read `pageSize` at a time as the evaluation goes on (never all of them at once); at most `maxConcurrency`
    /// are evaluated at a time, and their outcomes are taken, and notifications sent, in database order.
    public func runRound() async -> EvaluationRound {
        let started = ContinuousClock.now
        var report = EvaluationRound()
        let roundTime = now()
        let page: DueAlarmPage
        do {
            page = try await store.dueAlarms(now: roundTime, interval: interval, after: nil, limit: pageSize)
        } catch {
            logger.error("cannot list the alarms to evaluate", metadata: ["error": "\(error)"])
            report.storeErrors += 1
            return report
        }
        report.due = page.alarms.count
        guard !page.alarms.isEmpty || page.next != nil else { return report }

        // Notifications leave in database order, through one sender, while evaluation goes on.
        let (stream, continuation) = AsyncStream.makeStream(of: (AlarmNotification, [String]).self)
        let dispatcher = self.dispatcher
        async let sent: Int = {
            var count = 0
            for await (notification, actions) in stream {
                await dispatcher.dispatch(notification, to: actions)
                count += 1
            }
            return count
        }()

        await withTaskGroup(of: (Int, Outcome).self) { group in
            var queue = page.alarms[...]
            var next = page.next
            var nextIndex = 0
            var running = 0
            var pending: [Int: Outcome] = [:]
            var emitIndex = 0
            // The next due alarm: from the current page, else from the next page, read while the others run.
            func nextAlarm() async -> Alarm? {
                while queue.isEmpty, let cursor = next {
                    do {
                        let page = try await store.dueAlarms(now: roundTime, interval: interval, after: cursor, limit: pageSize)
                        report.due += page.alarms.count
                        queue = page.alarms[...]
                        next = page.next
                    } catch {
                        logger.error("cannot list the alarms to evaluate", metadata: ["error": "\(error)"])
                        report.storeErrors += 1
                        next = nil
                    }
                }
                return queue.popFirst()
            }
            func start() async -> Bool {
                guard let alarm = await nextAlarm() else { return false }
                let index = nextIndex
                nextIndex += 1
                running += 1
                group.addTask { (index, await evaluate(alarm, roundTime: roundTime)) }
                return true
            }
            while running < maxConcurrency, await start() {}
            while let (index, outcome) = await group.next() {
                running -= 1
                pending[index] = outcome
                while let ready = pending.removeValue(forKey: emitIndex) {
                    report.add(ready)
                    if let notification = ready.notification, !notification.1.isEmpty {
                        continuation.yield(notification)
                    }
                    emitIndex += 1
                }
                _ = await start()
            }
        }
        continuation.finish()
        report.notifications = await sent
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }

    /// What happened to one alarm.
    struct Outcome: Sendable {
        var claimed = false
        var evaluated = false
        var transition = false
        var storeError = false
        var notification: (AlarmNotification, [String])?
    }

    private func evaluate(_ alarm: Alarm, roundTime: Date) async -> Outcome {
        var outcome = Outcome()
        let alarmID = alarm.id.lowercaseText
        do {
            guard try await store.claim(alarm.id, expected: alarm.evaluateTimestamp, now: roundTime) else { return outcome }
        } catch {
            logger.error("cannot claim alarm", metadata: ["alarm.id": "\(alarmID)", "error": "\(error)"])
            outcome.storeError = true
            return outcome
        }
        outcome.claimed = true
        let evaluationTime = now()
        guard AlarmEvaluator.isWithinTimeConstraints(alarm, now: evaluationTime) else {
            logger.debug("alarm outside its time constraints", metadata: ["alarm.id": "\(alarmID)"])
            return outcome
        }
        outcome.evaluated = true
        let store = self.store
        guard let decision = await evaluator.decide(alarm, now: evaluationTime, alarmStates: { try await store.alarms(ids: $0) })
        else { return outcome }
        // Shutting down mid-round: requests failed because they were cancelled, not because of the API.
        guard !Task.isCancelled else { return outcome }
        if decision.isTransition {
            do {
                try await store.recordEvaluation(
                    alarm.id, state: decision.state, reason: decision.reason, reasonData: decision.reasonData.json,
                    at: evaluationTime)
                outcome.transition = true
                logger.info("alarm transition", metadata: [
                    "alarm.id": "\(alarmID)", "alarm.previous": "\(decision.previous.rawValue)",
                    "alarm.state": "\(decision.state.rawValue)", "alarm.reason": "\(decision.reason)",
                ])
            } catch {
                logger.error("cannot record the alarm's new state", metadata: ["alarm.id": "\(alarmID)", "error": "\(error)"])
                outcome.storeError = true
                return outcome
            }
        }
        let notification = AlarmNotification(
            alarmName: alarm.name, alarmID: alarm.id, severity: alarm.severity.rawValue, previous: decision.previous,
            current: decision.state, reason: decision.reason, reasonData: decision.reasonData)
        outcome.notification = (notification, alarm.actions(for: decision.state))
        return outcome
    }
}

extension EvaluationRound {
    mutating func add(_ outcome: AlarmEvaluatorService.Outcome) {
        if outcome.claimed { claimed += 1 }
        if outcome.evaluated { evaluated += 1 }
        if outcome.transition { transitions += 1 }
        if outcome.storeError { storeErrors += 1 }
    }
}
