import Foundation
import StratusCore

/// An alarm (reference C2): the envelope around one rule — who owns it, what to call in each state,
/// when it applies, and what it last evaluated to.
public struct Alarm: Sendable, Hashable {
    /// `alarm_id`.
    public var id: UUID
    /// `name` (required; not unique).
    public var name: String
    /// `description` (default "<type> alarm rule").
    public var description: String
    /// `enabled`: disabled alarms are not evaluated.
    public var enabled: Bool
    /// URLs called on entering `ok`.
    public var okActions: [String]
    /// URLs called on entering `alarm`.
    public var alarmActions: [String]
    /// URLs called on entering `insufficient data`.
    public var insufficientDataActions: [String]
    /// Whether actions are re-sent on every evaluation that keeps the state.
    public var repeatActions: Bool
    /// `severity` (default low).
    public var severity: AlarmSeverity
    /// When the alarm is evaluated; empty means always.
    public var timeConstraints: [TimeConstraint]
    /// What is evaluated.
    public var rule: AlarmRule
    /// The owning project (from the creator's identity, or set by an admin).
    public var projectID: String?
    /// The owning user.
    public var userID: String?
    /// When the alarm was created or last changed by the API.
    public var timestamp: Date
    /// The current state.
    public var state: AlarmState
    /// When `state` was last set.
    public var stateTimestamp: Date
    /// Why `state` was set ("Not evaluated yet" initially).
    public var stateReason: String
    /// When an evaluator last took the alarm (compare-and-set token between evaluators).
    public var evaluateTimestamp: Date?

    /// Aodh's type name, from the rule.
    public var type: String { rule.type }

    /// Creates an alarm; the defaults are Aodh's for a new alarm.
    public init(
        id: UUID = UUID(), name: String, description: String? = nil, enabled: Bool = true,
        okActions: [String] = [], alarmActions: [String] = [], insufficientDataActions: [String] = [],
        repeatActions: Bool = false, severity: AlarmSeverity = .low, timeConstraints: [TimeConstraint] = [],
        rule: AlarmRule, projectID: String? = nil, userID: String? = nil, timestamp: Date = Date(),
        state: AlarmState = .insufficientData, stateTimestamp: Date? = nil,
        stateReason: String = Alarm.initialStateReason, evaluateTimestamp: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description ?? Alarm.defaultDescription(type: rule.type)
        self.enabled = enabled
        self.okActions = okActions
        self.alarmActions = alarmActions
        self.insufficientDataActions = insufficientDataActions
        self.repeatActions = repeatActions
        self.severity = severity
        self.timeConstraints = timeConstraints
        self.rule = rule
        self.projectID = projectID
        self.userID = userID
        self.timestamp = timestamp
        self.state = state
        self.stateTimestamp = stateTimestamp ?? timestamp
        self.stateReason = stateReason
        self.evaluateTimestamp = evaluateTimestamp
    }

    /// The state reason of an alarm no evaluator has looked at yet.
    public static let initialStateReason = "Not evaluated yet"

    /// Aodh's default description: "<type> alarm rule".
    public static func defaultDescription(type: String) -> String { "\(type) alarm rule" }

    /// The actions for entering `state`.
    public func actions(for state: AlarmState) -> [String] {
        switch state {
        case .ok: okActions
        case .alarm: alarmActions
        case .insufficientData: insufficientDataActions
        }
    }

    /// The alarm as the API returns it: every field, the rule under `<type>_rule`, `evaluate_timestamp` included.
    public var json: TelemetryValue {
        var fields = commonFields
        fields["\(type)_rule"] = rule.json
        fields["evaluate_timestamp"] = evaluateTimestamp.map { .string(AlarmTimestamp.format($0)) } ?? .null
        return .dictionary(fields)
    }

    /// The alarm as a `creation` history entry records it: the rule under `"rule"`, no `evaluate_timestamp`.
    public var storedJSON: TelemetryValue {
        var fields = commonFields
        fields["rule"] = rule.json
        return .dictionary(fields)
    }

    private var commonFields: [String: TelemetryValue] {
        [
            "alarm_id": .string(id.uuidString.lowercased()),
            "name": .string(name),
            "description": .string(description),
            "type": .string(type),
            "enabled": .bool(enabled),
            "ok_actions": .list(okActions.map { .string($0) }),
            "alarm_actions": .list(alarmActions.map { .string($0) }),
            "insufficient_data_actions": .list(insufficientDataActions.map { .string($0) }),
            "repeat_actions": .bool(repeatActions),
            "severity": .string(severity.rawValue),
            "time_constraints": .list(timeConstraints.map(\.json)),
            "project_id": TelemetryValue(projectID),
            "user_id": TelemetryValue(userID),
            "timestamp": .string(AlarmTimestamp.format(timestamp)),
            "state": .string(state.rawValue),
            "state_timestamp": .string(AlarmTimestamp.format(stateTimestamp)),
            "state_reason": .string(stateReason),
        ]
    }
}
