import Foundation
import StratusCore

/// An alarm as its table row holds it: JSON text for lists and the rule, microseconds for times.
struct StoredAlarm: Sendable, Hashable {
    var id: String
    var name: String
    var description: String
    var type: String
    var enabled: Bool
    var severity: String
    var state: String
    var stateReason: String
    var stateTimestamp: Int64
    var timestamp: Int64
    var evaluateTimestamp: Int64?
    var projectID: String?
    var userID: String?
    var repeatActions: Bool
    var okActions: String
    var alarmActions: String
    var insufficientDataActions: String
    var timeConstraints: String
    var rule: String

    init(
        id: String, name: String, description: String, type: String, enabled: Bool, severity: String, state: String,
        stateReason: String, stateTimestamp: Int64, timestamp: Int64, evaluateTimestamp: Int64?, projectID: String?,
        userID: String?, repeatActions: Bool, okActions: String, alarmActions: String, insufficientDataActions: String,
        timeConstraints: String, rule: String
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.type = type
        self.enabled = enabled
        self.severity = severity
        self.state = state
        self.stateReason = stateReason
        self.stateTimestamp = stateTimestamp
        self.timestamp = timestamp
        self.evaluateTimestamp = evaluateTimestamp
        self.projectID = projectID
        self.userID = userID
        self.repeatActions = repeatActions
        self.okActions = okActions
        self.alarmActions = alarmActions
        self.insufficientDataActions = insufficientDataActions
        self.timeConstraints = timeConstraints
        self.rule = rule
    }

    init(_ alarm: Alarm) {
        func list(_ items: [String]) -> String { TelemetryJSON.encode(.list(items.map { .string($0) })) }
        self.init(
            id: alarm.id.uuidString.lowercased(), name: alarm.name, description: alarm.description, type: alarm.type,
            enabled: alarm.enabled, severity: alarm.severity.rawValue, state: alarm.state.rawValue,
            stateReason: alarm.stateReason, stateTimestamp: AlarmTimestamp.microseconds(alarm.stateTimestamp),
            timestamp: AlarmTimestamp.microseconds(alarm.timestamp),
            evaluateTimestamp: alarm.evaluateTimestamp.map(AlarmTimestamp.microseconds), projectID: alarm.projectID,
            userID: alarm.userID, repeatActions: alarm.repeatActions, okActions: list(alarm.okActions),
            alarmActions: list(alarm.alarmActions), insufficientDataActions: list(alarm.insufficientDataActions),
            timeConstraints: TelemetryJSON.encode(.list(alarm.timeConstraints.map(\.json))),
            rule: TelemetryJSON.encode(alarm.rule.json))
    }

    /// The alarm back.
    /// - Throws: `AlarmStoreError.database` when the row does not hold a valid alarm.
    func alarm() throws(AlarmStoreError) -> Alarm {
        func corrupt(_ what: String) -> AlarmStoreError {
            AlarmStoreError(.database, "Stored alarm \(id) has an invalid \(what)")
        }
        func json(_ text: String, _ what: String) throws(AlarmStoreError) -> TelemetryValue {
            do { return try TelemetryJSON.decode(text) } catch { throw corrupt(what) }
        }
        func list(_ text: String, _ what: String) throws(AlarmStoreError) -> [String] {
            guard case .list(let items) = try json(text, what) else { throw corrupt(what) }
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw corrupt(what) }
                strings.append(text)
            }
            return strings
        }
        guard let uuid = UUID(uuidString: id) else { throw corrupt("id") }
        guard let severity = AlarmSeverity(rawValue: severity) else { throw corrupt("severity") }
        guard let state = AlarmState(rawValue: state) else { throw corrupt("state") }
        guard case .list(let constraintValues) = try json(timeConstraints, "time constraints") else {
            throw corrupt("time constraints")
        }
        var constraints: [TimeConstraint] = []
        for value in constraintValues {
            do { constraints.append(try TimeConstraint.parse(value)) } catch { throw corrupt("time constraint") }
        }
        let ruleValue = try json(rule, "rule")
        let parsedRule: AlarmRule
        do {
            parsedRule = try AlarmRule.parse(type: type, rule: ruleValue)
        } catch {
            throw AlarmStoreError(.database, "Stored alarm \(id) has an invalid rule: \(error.reason)")
        }
        return Alarm(
            id: uuid, name: name, description: description, enabled: enabled, okActions: try list(okActions, "ok_actions"),
            alarmActions: try list(alarmActions, "alarm_actions"),
            insufficientDataActions: try list(insufficientDataActions, "insufficient_data_actions"),
            repeatActions: repeatActions, severity: severity, timeConstraints: constraints, rule: parsedRule,
            projectID: projectID, userID: userID, timestamp: AlarmTimestamp.date(microseconds: timestamp), state: state,
            stateTimestamp: AlarmTimestamp.date(microseconds: stateTimestamp), stateReason: stateReason,
            evaluateTimestamp: evaluateTimestamp.map { AlarmTimestamp.date(microseconds: $0) })
    }

    /// The row's values in `AlarmSQL.alarmColumns` order.
    var values: [AlarmSQLValue] {
        func text(_ value: String?) -> AlarmSQLValue { value.map { .text($0) } ?? .null }
        return [
            .text(id), .text(name), .text(description), .text(type), .bool(enabled), .text(severity), .text(state),
            .text(stateReason), .integer(stateTimestamp), .integer(timestamp), evaluateTimestamp.map { .integer($0) } ?? .null,
            text(projectID), text(userID), .bool(repeatActions), .text(okActions), .text(alarmActions),
            .text(insufficientDataActions), .text(timeConstraints), .text(rule),
        ]
    }
}

extension AlarmChange {
    /// The entry's values in `AlarmSQL.historyColumns` order.
    var values: [AlarmSQLValue] {
        func text(_ value: String?) -> AlarmSQLValue { value.map { .text($0) } ?? .null }
        return [
            .text(eventID.uuidString.lowercased()), .text(alarmID.uuidString.lowercased()), .text(type.rawValue),
            .text(detail), text(projectID), text(userID), text(onBehalfOf),
            .integer(AlarmTimestamp.microseconds(timestamp)), text(severity),
        ]
    }

    /// An entry from its row values.
    /// - Throws: `AlarmStoreError.database` for a row that is not a valid entry.
    static func decode(
        eventID: String, alarmID: String, type: String, detail: String, projectID: String?, userID: String?,
        onBehalfOf: String?, timestamp: Int64, severity: String?
    ) throws(AlarmStoreError) -> AlarmChange {
        guard let event = UUID(uuidString: eventID), let alarm = UUID(uuidString: alarmID),
              let kind = Kind(rawValue: type) else {
            throw AlarmStoreError(.database, "Stored alarm history entry \(eventID) is invalid")
        }
        return AlarmChange(
            eventID: event, alarmID: alarm, type: kind, detail: detail, projectID: projectID, userID: userID,
            onBehalfOf: onBehalfOf, timestamp: AlarmTimestamp.date(microseconds: timestamp), severity: severity)
    }

    /// The `state transition` entry of an evaluator's decision: detail `{"state", "transition_reason"}`, no
    /// project or user (aodh-observed).
    static func evaluation(alarmID: UUID, state: AlarmState, reason: String, onBehalfOf: String?, severity: String,
                           at timestamp: Date) -> AlarmChange {
        AlarmChange(
            alarmID: alarmID, type: .stateTransition,
            detail: TelemetryJSON.encode(["state": .string(state.rawValue), "transition_reason": .string(reason)]),
            onBehalfOf: onBehalfOf, timestamp: timestamp, severity: severity)
    }
}
