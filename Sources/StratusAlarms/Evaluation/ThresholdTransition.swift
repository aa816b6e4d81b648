/// The state machine of threshold alarms (reference C3 step 6–7, Aodh's `_transition_alarm` and
/// `_reason`): from the current state and a rule's outcome to a decision, or none.
public enum ThresholdTransition {
    /// Decides what an evaluation changes.
    /// - Parameters:
    ///   - current: the alarm's state now.
    ///   - repeatActions: the alarm's `repeat_actions`.
    ///   - outcome: what the rule evaluated to.
    ///   - evaluationPeriods: the rule's `evaluation_periods` (the `count` of unknown reason data).
    /// - Returns: nil when nothing is stored nor notified.
    public static func decide(
        current: AlarmState, repeatActions: Bool, outcome: RuleOutcome, evaluationPeriods: Int
    ) -> AlarmDecision? {
        let unknown = current == .insufficientData
        if let trending = outcome.trendingState {
            if unknown || repeatActions {
                let state = unknown ? trending : current
                return decision(current: current, state: state, outcome: outcome)
            }
            return nil
        }
        guard let state = outcome.state else { return nil }
        if state == .insufficientData, !unknown, case .insufficient(let reason) = outcome.verdict {
            return AlarmDecision(
                previous: current, state: .insufficientData, reason: reason,
                reasonData: .threshold(disposition: "unknown", count: evaluationPeriods, mostRecent: outcome.statistics.last))
        }
        guard current != state || repeatActions else { return nil }
        return decision(current: current, state: state, outcome: outcome)
    }

    /// Aodh's `_reason`: "Transition to <state> due to N samples <disposition> threshold, most recent: V",
    /// or "Remaining as …" when the state does not change.
    static func decision(current: AlarmState, state: AlarmState, outcome: RuleOutcome) -> AlarmDecision {
        let disposition = state == .ok ? "inside" : "outside"
        let count = state == .ok ? outcome.statistics.count - outcome.outsideCount : outcome.outsideCount
        let last = outcome.statistics.last
        let lead = current != state ? "Transition to \(state.rawValue)" : "Remaining as \(state.rawValue)"
        let reason = "\(lead) due to \(count) samples \(disposition) threshold, most recent: \(PythonJSON.pythonString(last))"
        return AlarmDecision(
            previous: current, state: state, reason: reason,
            reasonData: .threshold(disposition: disposition, count: count, mostRecent: last))
    }
}
