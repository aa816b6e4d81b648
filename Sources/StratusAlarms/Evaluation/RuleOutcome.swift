/// What one threshold rule evaluated to (Aodh's `evaluate_rule` result).
public struct RuleOutcome: Sendable, Hashable {
    /// The verdict.
    public enum Verdict: Sendable, Hashable {
        /// Every compared point agrees: `alarm` (all outside) or `ok` (none outside).
        case state(AlarmState)
        /// Points disagree; the most recent one points to this state.
        case trending(AlarmState)
        /// Not enough data, with the reason.
        case insufficient(String)
    }

    /// The verdict.
    public var verdict: Verdict
    /// The values compared (the last `evaluation_periods` points), or those there were.
    public var statistics: [Double]
    /// How many of `statistics` were outside the threshold.
    public var outsideCount: Int

    /// Creates an outcome.
    public init(verdict: Verdict, statistics: [Double], outsideCount: Int = 0) {
        self.verdict = verdict
        self.statistics = statistics
        self.outsideCount = outsideCount
    }

    /// The decided state: the unequivocal state, `insufficient data`, or nil when trending.
    public var state: AlarmState? {
        switch verdict {
        case .state(let state): state
        case .trending: nil
        case .insufficient: .insufficientData
        }
    }

    /// The trending state, when points disagree.
    public var trendingState: AlarmState? {
        if case .trending(let state) = verdict { return state }
        return nil
    }
}
