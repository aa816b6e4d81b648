import Foundation
import StratusCore

/// `combination`, the legacy rule over other alarms' states (reference C4, seed 002).
public struct CombinationRule: Sendable, Hashable {
    /// How the sub-alarms' states combine.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case and, or
    }

    /// `and` (all in alarm) or `or` (any in alarm); default `and`.
    public var `operator`: Operator
    /// The combined alarms, in the order given.
    public var alarmIDs: [UUID]

    /// Creates a rule.
    public init(operator: Operator = .and, alarmIDs: [UUID]) {
        self.operator = `operator`
        self.alarmIDs = alarmIDs
    }

    static let type = "combination"

    init(_ value: TelemetryValue) throws(AlarmValidationError) {
        let fields = try RuleFields(value, context: "combination_rule")
        try fields.checkKnown(["operator", "alarm_ids"])
        if let text = try fields.optionalString("operator") {
            guard let op = Operator(rawValue: text) else {
                throw AlarmValidationError("operator must be one of: and, or, not \(text)")
            }
            self.operator = op
        } else {
            self.operator = .and
        }
        guard let list = fields.value("alarm_ids") else { throw fields.missing("alarm_ids") }
        guard case .list(let items) = list else { throw AlarmValidationError("alarm_ids must be a list of alarm ids") }
        var ids: [UUID] = []
        for item in items {
            guard case .string(let text) = item, let id = UUID(uuidString: text) else {
                throw AlarmValidationError("alarm_ids must be a list of alarm ids, got \(TelemetryJSON.encode(item))")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        guard !ids.isEmpty else { throw AlarmValidationError("alarm_ids must hold at least one alarm id") }
        alarmIDs = ids
    }

    /// The rule as Aodh returns it.
    public var json: TelemetryValue {
        .dictionary([
            "operator": .string(self.operator.rawValue),
            "alarm_ids": .list(alarmIDs.map { .string($0.lowercaseText) }),
        ])
    }
}
