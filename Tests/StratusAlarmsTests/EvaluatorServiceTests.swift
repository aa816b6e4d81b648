import Foundation
import Logging
import StratusCore
import Synchronization
import Testing
@testable import StratusAlarms

/// A fetcher answering from a table: metric name → values (60 s points), or an error.
final class ScriptedFetcher: StatisticsFetcher {
    private let table = Mutex<[String: Result<[Double], GnocchiClientError>]>([:])
    private let requests = Mutex<[StatisticsRequest]>([])

    func set(_ metric: String, _ values: [Double]) { table.withLock { $0[metric] = .success(values) } }
    func fail(_ metric: String, _ error: GnocchiClientError) { table.withLock { $0[metric] = .failure(error) } }
    var seen: [StatisticsRequest] { requests.withLock { $0 } }

    func fetch(_ request: StatisticsRequest) async throws(GnocchiClientError) -> [Datapoint] {
        requests.withLock { $0.append(request) }
        let metric: String
        switch request {
        case .measures(_, let name, _, _, _, _): metric = name
        case .aggregates(let operations, _, _, _, _, _):
            guard case .list(let items) = operations, items.count == 3, case .list(let reference) = items[2],
                  case .string(let name)? = reference.dropFirst().first else {
                throw GnocchiClientError(status: 400, message: "unexpected operations")
            }
            metric = name
        }
        switch table.withLock({ $0[metric] }) {
        case .success(let values)?:
            return values.enumerated().map { Datapoint(timestamp: "t\($0.offset)", granularity: 60, value: $0.element) }
        case .failure(let error)?:
            throw error
        case nil:
            throw GnocchiClientError(status: 404, message: "Metric \(metric) does not exist")
        }
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_767_225_600))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct EvaluatorServiceTests {
    struct Setup {
        let store: any AlarmDatabase
        let fetcher = ScriptedFetcher()
        let clock = ManualClock()
        let recorder = TestNotifications()
        let logs = AlarmTestSupport.Logs()
        let services = ServiceList()

        final class ServiceList: Sendable {
            let list = Mutex<[AlarmEvaluatorService]>([])
        }

        func shutdown() async {
            for service in services.list.withLock({ $0 }) { await service.shutdown() }
        }

        func service(maxConcurrency: Int = 4, pageSize: Int = 500) -> AlarmEvaluatorService {
            let clock = self.clock
            let service = AlarmEvaluatorService(
                store: store, evaluator: AlarmEvaluator(fetcher: fetcher),
                dispatcher: NotifierDispatcher(testNotifications: recorder, logger: logs.logger), interval: .seconds(60),
                maxConcurrency: maxConcurrency, pageSize: pageSize, logger: logs.logger, now: { clock.now })
            services.list.withLock { $0.append(service) }
            return service
        }

        func create(_ alarm: Alarm) async throws {
            try await store.createAlarm(alarm, change: .recording(.creation, of: alarm, projectID: "p", userID: "u", at: alarm.timestamp))
        }

        func history(_ id: UUID) async throws -> [AlarmChange] {
            try await store.history(AlarmQuery(filter: .equal("alarm_id", .string(id.lowercaseText))))
        }
    }

    func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let store = try await AlarmStores.open(indexerURL: "sqlite::memory:")
        let setup = Setup(store: store)
        do {
            try await body(setup)
        } catch {
            await setup.shutdown()
            try? await store.close()
            throw error
        }
        await setup.shutdown()
        try await store.close()
    }

    static func threshold(_ metric: String, periods: Int = 1) -> AlarmRule {
        .gnocchiResourcesThreshold(GnocchiResourcesThresholdRule(
            metric: metric, resourceID: "r1", resourceType: "generic",
            criteria: ThresholdCriteria(comparisonOperator: .gt, threshold: 5, aggregationMethod: "mean", evaluationPeriods: periods)))
    }

    func alarm(_ name: String, _ rule: AlarmRule, repeat: Bool = false, constraints: [TimeConstraint] = [], at clock: ManualClock) -> Alarm {
        Alarm(
            name: name, okActions: ["test://ok/\(name)"], alarmActions: ["test://alarm/\(name)"],
            insufficientDataActions: ["test://insufficient/\(name)"], repeatActions: `repeat`, timeConstraints: constraints,
            rule: rule, projectID: "p", userID: "u", timestamp: clock.now.addingTimeInterval(-120))
    }

    @Test(arguments: [(pageSize: 1, maxConcurrency: 1), (3, 2), (4, 8), (5, 3), (500, 4)])
    func roundReadsDueAlarmsPageByPageInDatabaseOrder(pageSize: Int, maxConcurrency: Int) async throws {
        try await withSetup { setup in
            // 13 alarms, one disabled and one recently evaluated (not due): 11 due, across pages of any size.
            let names = (0..<13).map { "p\($0)" }
            for (index, name) in names.enumerated() {
                setup.fetcher.set(name, [index.isMultiple(of: 2) ? 10 : 1])
                var alarm = alarm(name, Self.threshold(name), at: setup.clock)
                if index == 4 { alarm.enabled = false }
                if index == 9 { alarm.evaluateTimestamp = AlarmTimestamp.stored(setup.clock.now.addingTimeInterval(-10)) }
                try await setup.create(alarm)
            }
            let due = names.enumerated().filter { $0.offset != 4 && $0.offset != 9 }
            let service = setup.service(maxConcurrency: maxConcurrency, pageSize: pageSize)
            let round = await service.runRound()
            #expect(round.due == 11 && round.claimed == 11 && round.evaluated == 11 && round.transitions == 11)
            #expect(round.notifications == 11 && round.storeErrors == 0)
            let expected = due.map { "test://\($0.offset.isMultiple(of: 2) ? "alarm" : "ok")/\($0.element)" }
            #expect(setup.recorder.all.map(\.action) == expected)
            #expect(await service.runRound().due == 0)
        }
    }

    @Test func roundRecordsTransitionsAndNotifiesInDatabaseOrder() async throws {
        try await withSetup { setup in
            let names = (0..<12).map { "a\($0)" }
            for name in names {
                setup.fetcher.set(name, [10])
                try await setup.create(alarm(name, Self.threshold(name), at: setup.clock))
            }
            let service = setup.service(maxConcurrency: 5)
            let round = await service.runRound()
            #expect(round.due == 12 && round.claimed == 12 && round.evaluated == 12 && round.transitions == 12)
            #expect(round.notifications == 12)
            #expect(setup.recorder.all.map(\.action) == names.map { "test://alarm/\($0)" })
            let first = try #require(setup.recorder.all.first?.notification)
            #expect(first.previous == .insufficientData && first.current == .alarm)
            #expect(first.reason == "Transition to alarm due to 1 samples outside threshold, most recent: 10.0")

            let stored = try await setup.store.dueAlarms(now: setup.clock.now.addingTimeInterval(3600), interval: .seconds(60))
            #expect(stored.allSatisfy { $0.state == .alarm && $0.stateReason == first.reason })
            let history = try await setup.history(stored[0].id)
            let transition = try #require(history.first { $0.type == .stateTransition })
            #expect(try TelemetryJSON.decode(transition.detail) == ["state": "alarm", "transition_reason": .string(first.reason)])
            #expect(transition.projectID == nil && transition.userID == nil)

            // Within the same interval nothing is due; the next interval keeps the state silently.
            #expect(await service.runRound().due == 0)
            setup.clock.advance(60)
            let again = await service.runRound()
            #expect(again.claimed == 12 && again.transitions == 0 && again.notifications == 0)
            // Back under the threshold: ok.
            for name in names { setup.fetcher.set(name, [1]) }
            setup.clock.advance(60)
            #expect(await service.runRound().transitions == 12)
            #expect(setup.recorder.all.suffix(12).map(\.action) == names.map { "test://ok/\($0)" })
        }
    }

    @Test func twoEvaluatorsNeverEvaluateAnAlarmTwice() async throws {
        try await withSetup { setup in
            for index in 0..<40 {
                setup.fetcher.set("m\(index)", [10])
                try await setup.create(alarm("m\(index)", Self.threshold("m\(index)"), at: setup.clock))
            }
            let one = setup.service(maxConcurrency: 3)
            let two = setup.service(maxConcurrency: 7)
            async let first = one.runRound()
            async let second = two.runRound()
            let (a, b) = await (first, second)
            #expect(a.claimed + b.claimed == 40)
            #expect(a.transitions + b.transitions == 40)
            #expect(setup.recorder.all.count == 40)
            #expect(Set(setup.recorder.all.map(\.action)).count == 40)
        }
    }

    @Test func noDataStaysSilentButRepeatActionsRenotifiesWithoutHistory() async throws {
        try await withSetup { setup in
            setup.fetcher.set("empty", [])
            let quiet = alarm("quiet", Self.threshold("empty"), at: setup.clock)
            let noisy = alarm("noisy", Self.threshold("empty"), repeat: true, at: setup.clock)
            try await setup.create(quiet)
            try await setup.create(noisy)
            let service = setup.service()
            for _ in 0..<3 {
                let round = await service.runRound()
                #expect(round.transitions == 0)
                setup.clock.advance(60)
            }
            #expect(setup.recorder.all.map(\.action) == Array(repeating: "test://insufficient/noisy", count: 3))
            #expect(setup.recorder.all[0].notification.reason
                == "Remaining as insufficient data due to 0 samples outside threshold, most recent: None")
            #expect(try await setup.history(quiet.id).map(\.type) == [.creation])
            #expect(try await setup.history(noisy.id).map(\.type) == [.creation])
            let stored = try await setup.store.alarm(quiet.id)
            #expect(stored?.stateReason == "Not evaluated yet")
        }
    }

    @Test func unreachableAPIIsInsufficientDataNeverACrash() async throws {
        try await withSetup { setup in
            setup.fetcher.set("cpu", [10])
            let cpu = alarm("cpu", Self.threshold("cpu"), at: setup.clock)
            try await setup.create(cpu)
            let service = setup.service()
            #expect(await service.runRound().transitions == 1)
            setup.fetcher.fail("cpu", GnocchiClientError(status: nil, message: "Unable to establish connection to http://127.0.0.1:9/v1/x: refused"))
            setup.clock.advance(60)
            #expect(await service.runRound().transitions == 1)
            let stored = try #require(try await setup.store.alarm(cpu.id))
            #expect(stored.state == .insufficientData)
            #expect(stored.stateReason == "alarm statistics retrieval failed: Unable to establish connection to http://127.0.0.1:9/v1/x: refused")
            let last = try #require(setup.recorder.all.last)
            #expect(last.action == "test://insufficient/cpu")
            #expect(last.notification.reasonData == .threshold(disposition: "unknown", count: 1, mostRecent: nil))
        }
    }

    @Test func outsideTimeConstraintsTheTimestampAdvancesWithoutEvaluation() async throws {
        try await withSetup { setup in
            setup.fetcher.set("cpu", [10])
            // 2026-01-01 00:00 UTC is a Thursday; the constraint covers Sundays only.
            let sunday = try TimeConstraint(name: "sunday", start: "0 0 * * 0", duration: 3600)
            let constrained = alarm("constrained", Self.threshold("cpu"), constraints: [sunday], at: setup.clock)
            try await setup.create(constrained)
            let round = await setup.service().runRound()
            #expect(round.claimed == 1 && round.evaluated == 0)
            #expect(setup.fetcher.seen.isEmpty)
            let stored = try #require(try await setup.store.alarm(constrained.id))
            #expect(stored.state == .insufficientData)
            #expect(stored.evaluateTimestamp != nil)
        }
    }

    @Test func combinationAndCompositeThroughTheService() async throws {
        try await withSetup { setup in
            setup.fetcher.set("hot", [10])
            setup.fetcher.set("cold", [1])
            let hot = alarm("hot", Self.threshold("hot"), at: setup.clock)
            let cold = alarm("cold", Self.threshold("cold"), at: setup.clock)
            try await setup.create(hot)
            try await setup.create(cold)
            let both = alarm("both", .combination(CombinationRule(operator: .and, alarmIDs: [hot.id, cold.id])), at: setup.clock)
            let either = alarm("either", .combination(CombinationRule(operator: .or, alarmIDs: [hot.id, cold.id])), at: setup.clock)
            let composite = alarm(
                "composite", .composite(.or([.rule(Self.threshold("cold")), .rule(Self.threshold("hot"))])), at: setup.clock)
            try await setup.create(both)
            try await setup.create(either)
            try await setup.create(composite)
            let service = setup.service(maxConcurrency: 1)
            _ = await service.runRound()
            // With one worker in database order, the sub-alarms are decided before the combinations.
            #expect(try await setup.store.alarm(both.id)?.state == .ok)
            #expect(try await setup.store.alarm(either.id)?.state == .alarm)
            let compositeState = try #require(try await setup.store.alarm(composite.id))
            #expect(compositeState.state == .alarm)
            #expect(compositeState.stateReason == "Composite rule alarm with composition form: (rule1 or rule2) transition to alarm, due to rules: rule2 outside their threshold.")
            let eitherNote = try #require(setup.recorder.all.first { $0.action == "test://alarm/either" })
            #expect(eitherNote.notification.reason == "Transition to alarm due to alarms \(hot.id.lowercaseText) in state alarm")
        }
    }
}
