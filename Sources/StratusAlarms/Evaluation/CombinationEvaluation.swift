import Foundation

/// The legacy `combination` evaluator (reference C4, Aodh 2.0.6 `evaluator/combination.py`).
public enum CombinationEvaluation {
    /// Decides from the sub-alarms' states (nil when an alarm is missing), in `alarm_ids` order.
    /// - Returns: nil when nothing is stored nor notified.
    public static func decide(
        current: AlarmState, repeatActions: Bool, rule: CombinationRule, states: [(id: UUID, state: AlarmState?)]
    ) -> AlarmDecision? {
        let missing = states.filter { $0.state == nil || $0.state == .insufficientData }.map { $0.id.lowercaseText }
        var sufficient = missing.isEmpty
        if !sufficient, rule.operator == .or {
            sufficient = states.contains { $0.state == .alarm }
        }
        guard sufficient else {
            guard current != .insufficientData else { return nil }
            return AlarmDecision(
                previous: current, state: .insufficientData,
                reason: "Alarms \(missing.joined(separator: ",")) are in unknown state",
                reasonData: .combination(alarmIDs: missing))
        }
        let inAlarm = states.map { $0.state == .alarm }
        let alarmed = rule.operator == .and ? inAlarm.allSatisfy { $0 } : inAlarm.contains(true)
        let state: AlarmState = alarmed ? .alarm : .ok
        guard current != state || repeatActions else { return nil }
        let reported = states.filter { $0.state == state }.map { $0.id.lowercaseText }
        let lead = current != state ? "Transition to \(state.rawValue)" : "Remaining as \(state.rawValue)"
        return AlarmDecision(
            previous: current, state: state,
            reason: "\(lead) due to alarms \(reported.joined(separator: ",")) in state \(state.rawValue)",
            reasonData: .combination(alarmIDs: reported))
    }
}
