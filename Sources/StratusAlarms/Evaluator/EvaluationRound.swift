/// What one evaluation round did.
public struct EvaluationRound: Sendable, Hashable {
    /// Alarms the store said were due.
    public var due = 0
    /// Alarms this evaluator claimed (the others were taken by another evaluator).
    public var claimed = 0
    /// Claimed alarms evaluated (inside their time constraints).
    public var evaluated = 0
    /// State changes stored.
    public var transitions = 0
    /// Notifications dispatched (one per decision acted on, to all its actions).
    public var notifications = 0
    /// Store failures (claim or record) met.
    public var storeErrors = 0
    /// Wall time of the round, evaluation and notification, in seconds.
    public var seconds = 0.0

    /// An empty report.
    public init() {}
}
