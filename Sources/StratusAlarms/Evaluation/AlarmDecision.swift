/// What the evaluator does after evaluating one alarm: the new state and why, whether it is
/// stored (a transition: state, reason, history) and whether the state's actions are notified.
public struct AlarmDecision: Sendable, Hashable {
    /// The state before.
    public var previous: AlarmState
    /// The state after (equal to `previous` for a repeat).
    public var state: AlarmState
    /// The reason text.
    public var reason: String
    /// The reason data.
    public var reasonData: ReasonData

    /// Creates a decision.
    public init(previous: AlarmState, state: AlarmState, reason: String, reasonData: ReasonData) {
        self.previous = previous
        self.state = state
        self.reason = reason
        self.reasonData = reasonData
    }

    /// A state change: stored with a history entry (Aodh's `_refresh` when `previous != state`).
    public var isTransition: Bool { previous != state }
}

/// Aodh's `_refresh` contract, as a filter: a change is stored and notified; a repeat only notified,
/// and only with `repeat_actions`.
extension AlarmDecision {
    /// Whether the decision is acted on at all for an alarm with `repeatActions`.
    public func isActedOn(repeatActions: Bool) -> Bool { isTransition || repeatActions }
}
