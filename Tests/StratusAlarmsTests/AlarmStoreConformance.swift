import Foundation
import StratusAlarms
import StratusCore
import Testing

/// The behaviour every `AlarmDatabase` must have, as named checks run against SQLite and PostgreSQL.
struct AlarmStoreConformance: Sendable {
    struct Check: Sendable, CustomStringConvertible {
        let name: String
        let run: @Sendable (any AlarmDatabase) async throws -> Void
        var description: String { name }
    }

    static let checks: [Check] = {
        let suite = AlarmStoreConformance()
        return [
            Check(name: "createThenReadBack", run: suite.createThenReadBack),
            Check(name: "duplicateIdIsRejected", run: suite.duplicateIdIsRejected),
            Check(name: "updateReplacesButKeepsEvaluateTimestamp", run: suite.updateReplacesButKeepsEvaluateTimestamp),
            Check(name: "deleteKeepsHistory", run: suite.deleteKeepsHistory),
            Check(name: "listFilters", run: suite.listFilters),
            Check(name: "listSortsAndPaginates", run: suite.listSortsAndPaginates),
            Check(name: "severitySortsByMeaning", run: suite.severitySortsByMeaning),
            Check(name: "invalidQueriesAreRejected", run: suite.invalidQueriesAreRejected),
            Check(name: "dueAlarmsAndClaim", run: suite.dueAlarmsAndClaim),
            Check(name: "dueAlarmsComeInPages", run: suite.dueAlarmsComeInPages),
            Check(name: "recordEvaluationAppendsTransitionsOnly", run: suite.recordEvaluationAppendsTransitionsOnly),
            Check(name: "historyIsNewestFirstAndFilterable", run: suite.historyIsNewestFirstAndFilterable),
            Check(name: "alarmsByIdsInDatabaseOrder", run: suite.alarmsByIdsInDatabaseOrder),
            Check(name: "countAlarms", run: suite.countAlarms),
            Check(name: "upgradeIsIdempotent", run: suite.upgradeIsIdempotent),
            Check(name: "quotasRoundTrip", run: suite.quotasRoundTrip),
        ]
    }()

    static let base = Date(timeIntervalSince1970: 1_790_000_000.123456)

    static func rule(_ threshold: Double = 10) throws -> AlarmRule {
        try AlarmRule.parse(
            type: "gnocchi_resources_threshold",
            rule: [
                "metric": "cpu", "resource_id": "5a301761-f78b-46e2-8900-8b4f6fe6675a", "resource_type": "generic",
                "aggregation_method": "mean", "threshold": .double(threshold),
            ])
    }

    static func alarm(_ name: String, project: String = "p1", offset: Double = 0, severity: AlarmSeverity = .low,
                      enabled: Bool = true) throws -> Alarm {
        let time = AlarmTimestamp.stored(base.addingTimeInterval(offset))
        return Alarm(
            name: name, enabled: enabled, alarmActions: ["http://localhost:1/a", "log://"], severity: severity,
            timeConstraints: [try TimeConstraint.parse(["name": "night", "start": "0 23 * * *", "duration": 3600])],
            rule: try rule(), projectID: project, userID: "u-" + name, timestamp: time, evaluateTimestamp: time)
    }

    static func create(_ store: any AlarmDatabase, _ alarm: Alarm) async throws {
        try await store.createAlarm(
            alarm, change: .recording(.creation, of: alarm, projectID: alarm.projectID, userID: alarm.userID, at: alarm.timestamp))
    }

    func createThenReadBack(_ store: any AlarmDatabase) async throws {
        let alarm = try Self.alarm("a1")
        try await Self.create(store, alarm)
        let read = try #require(try await store.alarm(alarm.id))
        #expect(read == alarm)
        #expect(try await store.alarm(UUID()) == nil)
        let history = try await store.history(AlarmQuery(filter: .equal("alarm_id", .string(alarm.id.uuidString))))
        #expect(history.count == 1)
        #expect(history.first?.type == .creation)
        #expect(history.first?.onBehalfOf == "p1")
        #expect(history.first?.detail == TelemetryJSON.encode(alarm.storedJSON))
    }

    func duplicateIdIsRejected(_ store: any AlarmDatabase) async throws {
        let alarm = try Self.alarm("a1")
        try await Self.create(store, alarm)
        await #expect(throws: AlarmStoreError.self) { try await Self.create(store, alarm) }
        #expect(try await store.history(AlarmQuery()).count == 1)
    }

    func updateReplacesButKeepsEvaluateTimestamp(_ store: any AlarmDatabase) async throws {
        var alarm = try Self.alarm("a1")
        try await Self.create(store, alarm)
        let claimed = AlarmTimestamp.stored(Self.base.addingTimeInterval(30))
        #expect(try await store.claim(alarm.id, expected: alarm.evaluateTimestamp, now: claimed))
        alarm.name = "renamed"
        alarm.rule = try Self.rule(42)
        alarm.okActions = ["log://"]
        alarm.enabled = false
        try await store.updateAlarm(
            alarm, change: .recording(.ruleChange, of: alarm, projectID: "p1", userID: "u", at: Self.base.addingTimeInterval(40)))
        let read = try #require(try await store.alarm(alarm.id))
        #expect(read.name == "renamed")
        #expect(read.rule == (try Self.rule(42)))
        #expect(read.okActions == ["log://"])
        #expect(read.enabled == false)
        #expect(read.evaluateTimestamp == claimed)
        #expect(try await store.history(AlarmQuery()).map(\.type) == [.ruleChange, .creation])
        var missing = alarm
        missing.id = UUID()
        await #expect(throws: AlarmStoreError.self) { try await store.updateAlarm(missing, change: nil) }
    }

    func deleteKeepsHistory(_ store: any AlarmDatabase) async throws {
        let alarm = try Self.alarm("a1")
        try await Self.create(store, alarm)
        try await store.deleteAlarm(
            alarm.id, change: .recording(.deletion, of: alarm, projectID: "p1", userID: "u", at: Self.base.addingTimeInterval(5)))
        #expect(try await store.alarm(alarm.id) == nil)
        #expect(try await store.history(AlarmQuery()).map(\.type) == [.deletion, .creation])
        do {
            try await store.deleteAlarm(alarm.id, change: .recording(.deletion, of: alarm, projectID: nil, userID: nil, at: Self.base))
            Issue.record("deleting twice must fail")
        } catch let error as AlarmStoreError {
            #expect(error.code == .notFound)
            #expect(error.message == "Alarm \(alarm.id.uuidString.lowercased()) not found")
        }
    }

    func listFilters(_ store: any AlarmDatabase) async throws {
        let a = try Self.alarm("a", project: "p1", offset: 0)
        let b = try Self.alarm("b", project: "p2", offset: 10, severity: .critical, enabled: false)
        let c = try Self.alarm("c", project: "p1", offset: 20, severity: .moderate)
        for alarm in [a, b, c] { try await Self.create(store, alarm) }
        func names(_ filter: AlarmFilter?) async throws -> [String] {
            try await store.listAlarms(AlarmQuery(filter: filter, sort: [.init("name", ascending: true)])).map(\.name)
        }
        #expect(try await names(nil) == ["a", "b", "c"])
        #expect(try await names(.equal("project_id", "p1")) == ["a", "c"])
        #expect(try await names(.equal("enabled", false)) == ["b"])
        #expect(try await names(.equal("enabled", "True")) == ["a", "c"])
        #expect(try await names(.in(field: "severity", values: ["critical", "moderate"])) == ["b", "c"])
        #expect(try await names(.not(.equal("name", "a"))) == ["b", "c"])
        #expect(try await names(.or([.equal("name", "a"), .equal("severity", "critical")])) == ["a", "b"])
        #expect(try await names(.and([.equal("project_id", "p1"), .equal("severity", "low")])) == ["a"])
        let afterA = AlarmTimestamp.format(Self.base.addingTimeInterval(5))
        #expect(try await names(.comparison(field: "timestamp", op: .greaterThan, value: .string(afterA))) == ["b", "c"])
        #expect(try await names(.equal("alarm_id", .string(c.id.uuidString.uppercased()))) == ["c"])
        #expect(try await names(.equal("state", "insufficient data")) == ["a", "b", "c"])
        #expect(try await names(.in(field: "name", values: [])) == [])
        #expect(try await names(.equal("user_id", nil)) == [])
    }

    func listSortsAndPaginates(_ store: any AlarmDatabase) async throws {
        var alarms: [Alarm] = []
        for index in 0..<7 {
            // Two alarms share each timestamp so the primary key breaks ties.
            let alarm = try Self.alarm("n\(index)", offset: Double(index / 2))
            alarms.append(alarm)
            try await Self.create(store, alarm)
        }
        // Default: timestamp descending, then alarm_id descending.
        let all = try await store.listAlarms(AlarmQuery())
        let expected = alarms.sorted {
            ($0.timestamp, $0.id.uuidString.lowercased()) > ($1.timestamp, $1.id.uuidString.lowercased())
        }
        #expect(all.map(\.id) == expected.map(\.id))
        var pages: [[String]] = []
        var marker: String?
        repeat {
            let page = try await store.listAlarms(
                AlarmQuery(sort: [.init("name", ascending: false)], limit: 3, marker: marker))
            pages.append(page.map(\.name))
            marker = page.count == 3 ? page.last?.id.uuidString : nil
        } while marker != nil
        #expect(pages == [["n6", "n5", "n4"], ["n3", "n2", "n1"], ["n0"]])
        var ascending: [String] = []
        marker = nil
        repeat {
            let page = try await store.listAlarms(
                AlarmQuery(sort: [.init("timestamp", ascending: true)], limit: 2, marker: marker))
            ascending += page.map(\.name)
            marker = page.count == 2 ? page.last?.id.uuidString : nil
        } while marker != nil
        #expect(Set(ascending) == Set(alarms.map(\.name)))
        #expect(ascending.count == 7)
        do {
            _ = try await store.listAlarms(AlarmQuery(marker: UUID().uuidString))
            Issue.record("an unknown marker must fail")
        } catch let error as AlarmStoreError {
            #expect(error.code == .invalidMarker)
        }
    }

    func severitySortsByMeaning(_ store: any AlarmDatabase) async throws {
        for (name, severity) in [("x", AlarmSeverity.critical), ("y", .low), ("z", .moderate)] {
            try await Self.create(store, try Self.alarm(name, severity: severity))
        }
        let sorted = try await store.listAlarms(AlarmQuery(sort: [.init("severity", ascending: true)]))
        #expect(sorted.map(\.severity) == [.low, .moderate, .critical])
    }

    func invalidQueriesAreRejected(_ store: any AlarmDatabase) async throws {
        let bad: [AlarmQuery] = [
            AlarmQuery(filter: .equal("rule; DROP TABLE alarm", "x")),
            AlarmQuery(filter: .equal("enabled", "maybe")),
            AlarmQuery(filter: .equal("timestamp", "yesterday")),
            AlarmQuery(filter: .comparison(field: "name", op: .lessThan, value: nil)),
            AlarmQuery(sort: [.init("rule", ascending: true)]),
        ]
        for query in bad {
            do {
                _ = try await store.listAlarms(query)
                Issue.record("\(query) must be rejected")
            } catch let error as AlarmStoreError {
                #expect(error.code == .invalidQuery)
            }
        }
        #expect(try await store.listAlarms(AlarmQuery()).isEmpty)
    }

    func dueAlarmsAndClaim(_ store: any AlarmDatabase) async throws {
        var never = try Self.alarm("never")
        never.evaluateTimestamp = nil
        let old = try Self.alarm("old")
        let recent = try Self.alarm("recent", offset: 100)
        let disabled = try Self.alarm("disabled", enabled: false)
        for alarm in [never, old, recent, disabled] { try await Self.create(store, alarm) }
        let now = Self.base.addingTimeInterval(120)
        // interval 60 s: due when evaluate_timestamp < now - 30 s.
        let due = try await store.dueAlarms(now: now, interval: .seconds(60))
        #expect(due.map(\.name) == ["never", "old"])
        #expect(try await store.claim(never.id, expected: nil, now: now))
        #expect(try await store.claim(never.id, expected: nil, now: now) == false)
        #expect(try await store.claim(old.id, expected: old.evaluateTimestamp, now: now))
        #expect(try await store.claim(old.id, expected: old.evaluateTimestamp, now: now) == false)
        #expect(try await store.claim(UUID(), expected: nil, now: now) == false)
        #expect(try await store.dueAlarms(now: now, interval: .seconds(60)).isEmpty)
        let later = try await store.dueAlarms(now: now.addingTimeInterval(31), interval: .seconds(60))
        #expect(later.map(\.name) == ["never", "old", "recent"])
        #expect(try await store.alarm(old.id)?.evaluateTimestamp == AlarmTimestamp.stored(now))
    }

    func dueAlarmsComeInPages(_ store: any AlarmDatabase) async throws {
        // 10 alarms in creation order; 3 not due (disabled, evaluated recently), interleaved with due ones.
        for index in 0..<10 {
            var alarm = try Self.alarm("a\(index)", offset: index == 3 || index == 7 ? 100 : 0, enabled: index != 5)
            if index == 0 { alarm.evaluateTimestamp = nil }
            try await Self.create(store, alarm)
        }
        let now = Self.base.addingTimeInterval(120)
        let due = ["a0", "a1", "a2", "a4", "a6", "a8", "a9"]
        #expect(try await store.dueAlarms(now: now, interval: .seconds(60)).map(\.name) == due)
        for limit in [1, 2, 3, 6, 7, 8, 100] {
            var names: [String] = []
            var cursor: DueAlarmCursor?
            var pages = 0
            repeat {
                let page = try await store.dueAlarms(now: now, interval: .seconds(60), after: cursor, limit: limit)
                #expect(page.alarms.count <= limit)
                #expect(page.next == nil || page.alarms.count == limit, "only a full page has a next one")
                names += page.alarms.map(\.name)
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 20
            #expect(names == due, "limit \(limit)")
            // Full pages have a next one, so a last full page is followed by an empty one.
            #expect(pages == due.count / limit + 1, "limit \(limit)")
        }
        // Claiming the alarms of a page does not shift the next page (keyset on the row order, not an offset).
        let first = try await store.dueAlarms(now: now, interval: .seconds(60), after: nil, limit: 3)
        #expect(first.alarms.map(\.name) == ["a0", "a1", "a2"])
        for alarm in first.alarms { #expect(try await store.claim(alarm.id, expected: alarm.evaluateTimestamp, now: now)) }
        let second = try await store.dueAlarms(now: now, interval: .seconds(60), after: first.next, limit: 3)
        #expect(second.alarms.map(\.name) == ["a4", "a6", "a8"])
        let third = try await store.dueAlarms(now: now, interval: .seconds(60), after: second.next, limit: 3)
        #expect(third.alarms.map(\.name) == ["a9"] && third.next == nil)
        // A new page from the start sees only what is still due.
        #expect(try await store.dueAlarms(now: now, interval: .seconds(60)).map(\.name) == ["a4", "a6", "a8", "a9"])
        // A page size below 1 reads one alarm at a time.
        let single = try await store.dueAlarms(now: now, interval: .seconds(60), after: nil, limit: 0)
        #expect(single.alarms.map(\.name) == ["a4"] && single.next != nil)
    }

    func recordEvaluationAppendsTransitionsOnly(_ store: any AlarmDatabase) async throws {
        let alarm = try Self.alarm("a")
        try await Self.create(store, alarm)
        let t1 = AlarmTimestamp.stored(Self.base.addingTimeInterval(60))
        let reason = "Transition to alarm due to 1 samples outside threshold, most recent: 12.0"
        try await store.recordEvaluation(alarm.id, state: .alarm, reason: reason, reasonData: ["type": "threshold"], at: t1)
        var read = try #require(try await store.alarm(alarm.id))
        #expect(read.state == .alarm)
        #expect(read.stateReason == reason)
        #expect(read.stateTimestamp == t1)
        try await store.recordEvaluation(
            alarm.id, state: .alarm, reason: "Remaining as alarm", reasonData: [:], at: t1.addingTimeInterval(60))
        read = try #require(try await store.alarm(alarm.id))
        #expect(read.stateTimestamp == t1)
        #expect(read.stateReason == "Remaining as alarm")
        let history = try await store.history(AlarmQuery(filter: .equal("type", "state transition")))
        #expect(history.count == 1)
        let entry = try #require(history.first)
        #expect(entry.projectID == nil)
        #expect(entry.userID == nil)
        #expect(entry.onBehalfOf == "p1")
        #expect(entry.severity == "low")
        #expect(try TelemetryJSON.decode(entry.detail) == ["state": "alarm", "transition_reason": .string(reason)])
        // A vanished alarm is ignored.
        try await store.recordEvaluation(UUID(), state: .ok, reason: "x", reasonData: nil, at: t1)
    }

    func historyIsNewestFirstAndFilterable(_ store: any AlarmDatabase) async throws {
        let a = try Self.alarm("a")
        let b = try Self.alarm("b", offset: 1)
        try await Self.create(store, a)
        try await Self.create(store, b)
        for step in 1...3 {
            try await store.recordEvaluation(
                a.id, state: step % 2 == 1 ? .alarm : .ok, reason: "step \(step)", reasonData: nil,
                at: Self.base.addingTimeInterval(Double(step) * 60))
        }
        let history = try await store.history(AlarmQuery(filter: .equal("alarm_id", .string(a.id.uuidString))))
        #expect(history.map(\.type) == [.stateTransition, .stateTransition, .stateTransition, .creation])
        #expect(history.map(\.timestamp) == history.map(\.timestamp).sorted(by: >))
        let page1 = try await store.history(AlarmQuery(limit: 2))
        let page2 = try await store.history(AlarmQuery(limit: 10, marker: page1.last?.eventID.uuidString))
        #expect(page1.count == 2)
        #expect(page2.count == 3)
        #expect(Set((page1 + page2).map(\.eventID)).count == 5)
        let ascending = try await store.history(AlarmQuery(sort: [.init("timestamp", ascending: true)], limit: 1))
        #expect(ascending.first?.alarmID == a.id)
        #expect(ascending.first?.type == .creation)
        let since = AlarmTimestamp.format(Self.base.addingTimeInterval(90))
        #expect(try await store.history(AlarmQuery(filter: .comparison(field: "timestamp", op: .greaterThanOrEqual,
                                                                        value: .string(since)))).count == 2)
    }

    func alarmsByIdsInDatabaseOrder(_ store: any AlarmDatabase) async throws {
        let alarms = try (0..<4).map { try Self.alarm("n\($0)") }
        for alarm in alarms { try await Self.create(store, alarm) }
        let found = try await store.alarms(ids: [alarms[3].id, UUID(), alarms[1].id, alarms[0].id, alarms[3].id])
        #expect(found.map(\.name) == ["n0", "n1", "n3"])
        #expect(try await store.alarms(ids: []).isEmpty)
    }

    func countAlarms(_ store: any AlarmDatabase) async throws {
        for (name, project) in [("a", "p1"), ("b", "p1"), ("c", "p2")] {
            try await Self.create(store, try Self.alarm(name, project: project))
        }
        #expect(try await store.countAlarms(projectID: nil, userID: nil) == 3)
        #expect(try await store.countAlarms(projectID: "p1", userID: nil) == 2)
        #expect(try await store.countAlarms(projectID: "p1", userID: "u-a") == 1)
    }

    func upgradeIsIdempotent(_ store: any AlarmDatabase) async throws {
        try await Self.create(store, try Self.alarm("a"))
        try await store.upgrade()
        try await store.upgrade()
        #expect(try await store.listAlarms(AlarmQuery()).count == 1)
    }

    func quotasRoundTrip(_ store: any AlarmDatabase) async throws {
        #expect(try await store.quotas(projectID: "p1").isEmpty)
        try await store.setQuotas(projectID: "p1", ["alarms": 3])
        try await store.setQuotas(projectID: "p2", ["alarms": -1])
        #expect(try await store.quotas(projectID: "p1") == ["alarms": 3])
        try await store.setQuotas(projectID: "p1", ["alarms": 5])
        #expect(try await store.quotas(projectID: "p1") == ["alarms": 5])
        try await store.deleteQuotas(projectID: "p1")
        #expect(try await store.quotas(projectID: "p1").isEmpty)
        #expect(try await store.quotas(projectID: "p2") == ["alarms": -1])
    }
}
