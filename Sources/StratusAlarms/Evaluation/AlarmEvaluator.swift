import Foundation
import StratusCore

/// Evaluates one alarm: time constraints, its rule's statistics through a `StatisticsFetcher`, and the
/// state machine of its type. Does no storing and no notifying: it returns the decision.
public struct AlarmEvaluator: Sendable {
    /// Where statistics come from.
    public var fetcher: any StatisticsFetcher
    /// Seconds added to every look-back window (`[evaluator] additional_ingestion_lag`).
    public var additionalIngestionLag: Int

    /// Creates an evaluator.
    public init(fetcher: any StatisticsFetcher, additionalIngestionLag: Int = 0) {
        self.fetcher = fetcher
        self.additionalIngestionLag = additionalIngestionLag
    }

    /// Whether the alarm is to be evaluated at `now`: no constraints, or `now` within one (C3 step 1).
    public static func isWithinTimeConstraints(_ alarm: Alarm, now: Date) -> Bool {
        alarm.timeConstraints.isEmpty || alarm.timeConstraints.contains { $0.contains(now) }
    }

    /// Evaluates an alarm at `now`.
    /// - Parameters:
    ///   - alarmStates: the current alarms among the given ids (combination); a failure counts as missing alarms.
    /// - Returns: the decision to store and/or notify, or nil (outside the time constraints, or nothing to do).
    public func decide(
        _ alarm: Alarm, now: Date, alarmStates: @Sendable ([UUID]) async throws -> [Alarm]
    ) async -> AlarmDecision? {
        guard Self.isWithinTimeConstraints(alarm, now: now) else { return nil }
        switch alarm.rule {
        case .combination(let rule):
            let found = (try? await alarmStates(rule.alarmIDs)) ?? []
            let byID = Dictionary(found.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
            return CombinationEvaluation.decide(
                current: alarm.state, repeatActions: alarm.repeatActions, rule: rule,
                states: rule.alarmIDs.map { (id: $0, state: byID[$0]) })
        case .composite(let tree):
            return await CompositeEvaluation.decide(current: alarm.state, repeatActions: alarm.repeatActions, tree: tree) {
                _, leaf in await evaluateRule(leaf, now: now)
            }
        default:
            guard let threshold = RuleStatistics.threshold(of: alarm.rule) else { return nil }
            let outcome = await evaluateRule(alarm.rule, now: now)
            return ThresholdTransition.decide(
                current: alarm.state, repeatActions: alarm.repeatActions, outcome: outcome,
                evaluationPeriods: threshold.evaluationPeriods)
        }
    }

    /// Evaluates a threshold rule (C3 steps 2–5): window, fetch, sanitise, compare.
    public func evaluateRule(_ rule: AlarmRule, now: Date) async -> RuleOutcome {
        guard let threshold = RuleStatistics.threshold(of: rule) else {
            return RuleOutcome(verdict: .insufficient("rule type \(rule.type) is not a threshold rule"), statistics: [])
        }
        let window = ThresholdEvaluation.window(
            now: now, granularity: threshold.granularity, evaluationPeriods: threshold.evaluationPeriods,
            lookBack: threshold.excludeOutliers ? threshold.evaluationPeriods : 1,
            additionalIngestionLag: additionalIngestionLag)
        guard let request = RuleStatistics.request(for: rule, start: window.start, stop: window.stop) else {
            return RuleOutcome(verdict: .insufficient("rule type \(rule.type) is not a threshold rule"), statistics: [])
        }
        let points: [Datapoint]
        do {
            points = try await fetcher.fetch(request)
        } catch {
            return RuleOutcome(verdict: .insufficient(RuleStatistics.reason(for: error, rule: rule)), statistics: [])
        }
        if case .threshold(let legacy) = rule, legacy.excludeOutliers {
            return await evaluateExcludingOutliers(legacy, points: points, window: window, threshold: threshold)
        }
        return ThresholdEvaluation.evaluate(
            .points(points), granularity: threshold.granularity, evaluationPeriods: threshold.evaluationPeriods,
            comparison: threshold.comparison, threshold: threshold.threshold)
    }

    /// Legacy `exclude_outliers`: the periods' sample counts decide which periods are kept before the
    /// last `evaluation_periods` are compared.
    private func evaluateExcludingOutliers(
        _ rule: LegacyThresholdRule, points: [Datapoint], window: (start: Date, stop: Date),
        threshold: RuleStatistics.Threshold
    ) async -> RuleOutcome {
        let granularity = Double(rule.period)
        let kept = points.filter { $0.granularity == granularity }
        guard !kept.isEmpty else {
            return RuleOutcome(verdict: .insufficient("No datapoint for granularity \(rule.period)"), statistics: [])
        }
        let counts: [Datapoint]
        do {
            counts = try await fetcher.fetch(RuleStatistics.countRequest(for: rule, start: window.start, stop: window.stop))
        } catch {
            return RuleOutcome(verdict: .insufficient(RuleStatistics.reason(for: error, rule: .threshold(rule))), statistics: [])
        }
        let countByTimestamp = Dictionary(
            counts.filter { $0.granularity == granularity }.map { ($0.timestamp, $0.value) }, uniquingKeysWith: { a, _ in a })
        let paired = kept.map { (value: $0.value, count: countByTimestamp[$0.timestamp] ?? 0) }
        let values = Array(ThresholdEvaluation.excludingOutliers(paired).suffix(rule.evaluationPeriods))
        return ThresholdEvaluation.compare(
            values, comparison: threshold.comparison, threshold: threshold.threshold,
            evaluationPeriods: threshold.evaluationPeriods)
    }
}
