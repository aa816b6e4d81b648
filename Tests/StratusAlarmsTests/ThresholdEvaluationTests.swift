import Foundation
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct ThresholdEvaluationTests {
    func points(_ values: [Double], granularity: Double = 60) -> [Datapoint] {
        values.enumerated().map { Datapoint(timestamp: "t\($0.offset)", granularity: granularity, value: $0.element) }
    }

    func outcome(_ values: [Double], periods: Int = 2, op: ComparisonOperator = .gt, threshold: Double = 5) -> RuleOutcome {
        ThresholdEvaluation.evaluate(.points(points(values)), granularity: 60, evaluationPeriods: periods, comparison: op, threshold: threshold)
    }

    @Test func windowIsGranularityTimesPeriodsPlusOnePlusLag() {
        let now = Date(timeIntervalSince1970: 10_000)
        let window = ThresholdEvaluation.window(now: now, granularity: 60, evaluationPeriods: 3)
        #expect(window.start == Date(timeIntervalSince1970: 10_000 - 240))
        #expect(window.stop == now)
        let lagged = ThresholdEvaluation.window(now: now, granularity: 300, evaluationPeriods: 1, additionalIngestionLag: 30)
        #expect(lagged.start == Date(timeIntervalSince1970: 10_000 - 630))
        let outliers = ThresholdEvaluation.window(now: now, granularity: 60, evaluationPeriods: 4, lookBack: 4)
        #expect(outliers.start == Date(timeIntervalSince1970: 10_000 - 480))
    }

    @Test func sanitizeKeepsTheRuleGranularityAndTheLastPeriods() throws {
        let mixed = points([1, 2, 3], granularity: 60) + points([100], granularity: 300) + points([4], granularity: 60)
        #expect(try ThresholdEvaluation.sanitize(mixed, granularity: 60, evaluationPeriods: 2).get() == [3, 4])
        #expect(try ThresholdEvaluation.sanitize(mixed, granularity: 300, evaluationPeriods: 2).get() == [100])
        #expect(throws: InsufficientData(reason: "No datapoint for granularity 3600", statistics: [])) {
            try ThresholdEvaluation.sanitize(mixed, granularity: 3600, evaluationPeriods: 1).get()
        }
    }

    @Test func allOutsideIsAlarmNoneIsOkMixedIsTrending() {
        #expect(outcome([6, 7]) == RuleOutcome(verdict: .state(.alarm), statistics: [6, 7], outsideCount: 2))
        #expect(outcome([1, 2]) == RuleOutcome(verdict: .state(.ok), statistics: [1, 2], outsideCount: 0))
        #expect(outcome([1, 7]) == RuleOutcome(verdict: .trending(.alarm), statistics: [1, 7], outsideCount: 1))
        #expect(outcome([7, 1]) == RuleOutcome(verdict: .trending(.ok), statistics: [7, 1], outsideCount: 1))
    }

    @Test func fewerPointsThanPeriodsIsUnknown() {
        #expect(outcome([1], periods: 2) == RuleOutcome(verdict: .insufficient("2 datapoints are unknown"), statistics: [1]))
        #expect(ThresholdEvaluation.evaluate(.points([]), granularity: 60, evaluationPeriods: 1, comparison: .gt, threshold: 1)
            == RuleOutcome(verdict: .insufficient("No datapoint for granularity 60"), statistics: []))
        #expect(ThresholdEvaluation.evaluate(.failure("resource r does not exists"), granularity: 60, evaluationPeriods: 1, comparison: .gt, threshold: 1)
            == RuleOutcome(verdict: .insufficient("resource r does not exists"), statistics: []))
    }

    func decide(_ current: AlarmState, _ outcome: RuleOutcome, repeat: Bool = false, periods: Int = 2) -> AlarmDecision? {
        ThresholdTransition.decide(current: current, repeatActions: `repeat`, outcome: outcome, evaluationPeriods: periods)
    }

    @Test func transitionToAlarmAndBackToOk() throws {
        let alarm = try #require(decide(.insufficientData, outcome([10, 10])))
        #expect(alarm.state == .alarm && alarm.isTransition)
        #expect(alarm.reason == "Transition to alarm due to 2 samples outside threshold, most recent: 10.0")
        #expect(alarm.reasonData == .threshold(disposition: "outside", count: 2, mostRecent: 10))
        #expect(alarm.reasonData.pythonJSON == #"{"type": "threshold", "disposition": "outside", "count": 2, "most_recent": 10.0}"#)

        let ok = try #require(decide(.alarm, outcome([1, 1])))
        #expect(ok.reason == "Transition to ok due to 2 samples inside threshold, most recent: 1.0")
        #expect(ok.reasonData == .threshold(disposition: "inside", count: 2, mostRecent: 1))
    }

    @Test func sameStateWithoutRepeatActionsDoesNothing() {
        #expect(decide(.alarm, outcome([10, 10])) == nil)
        #expect(decide(.ok, outcome([1, 1])) == nil)
    }

    @Test func sameStateWithRepeatActionsRemains() throws {
        let again = try #require(decide(.alarm, outcome([10, 12]), repeat: true))
        #expect(!again.isTransition)
        #expect(again.reason == "Remaining as alarm due to 2 samples outside threshold, most recent: 12.0")
    }

    @Test func trendingIsTakenFromUnknownOnly() throws {
        let taken = try #require(decide(.insufficientData, outcome([1, 10])))
        #expect(taken.state == .alarm)
        #expect(taken.reason == "Transition to alarm due to 1 samples outside threshold, most recent: 10.0")
        let toOk = try #require(decide(.insufficientData, outcome([10, 1])))
        #expect(toOk.state == .ok)
        #expect(toOk.reason == "Transition to ok due to 1 samples inside threshold, most recent: 1.0")
        // From a decided state, trending changes nothing…
        #expect(decide(.ok, outcome([1, 10])) == nil)
        #expect(decide(.alarm, outcome([10, 1])) == nil)
        // …unless repeat_actions re-notifies the current state.
        let repeated = try #require(decide(.ok, outcome([1, 10]), repeat: true))
        #expect(repeated.state == .ok && !repeated.isTransition)
        #expect(repeated.reason == "Remaining as ok due to 1 samples inside threshold, most recent: 10.0")
    }

    @Test func enteringInsufficientDataUsesTheEvaluatorMessage() throws {
        let unknown = try #require(decide(.alarm, outcome([1], periods: 2)))
        #expect(unknown.state == .insufficientData)
        #expect(unknown.reason == "2 datapoints are unknown")
        #expect(unknown.reasonData == .threshold(disposition: "unknown", count: 2, mostRecent: 1))
        let missing = RuleOutcome(verdict: .insufficient("No datapoint for granularity 60"), statistics: [])
        let none = try #require(decide(.ok, missing, periods: 3))
        #expect(none.reason == "No datapoint for granularity 60")
        #expect(none.reasonData.pythonJSON == #"{"type": "threshold", "disposition": "unknown", "count": 3, "most_recent": null}"#)
    }

    @Test func staysInInsufficientDataSilently() {
        let missing = RuleOutcome(verdict: .insufficient("No datapoint for granularity 60"), statistics: [])
        #expect(decide(.insufficientData, missing) == nil)
    }

    @Test func repeatActionsInInsufficientDataRenotifiesEveryCycle() throws {
        let missing = RuleOutcome(verdict: .insufficient("No datapoint for granularity 60"), statistics: [])
        let again = try #require(decide(.insufficientData, missing, repeat: true))
        #expect(again.previous == .insufficientData && again.state == .insufficientData)
        #expect(again.reason == "Remaining as insufficient data due to 0 samples outside threshold, most recent: None")
        #expect(again.reasonData.pythonJSON == #"{"type": "threshold", "disposition": "outside", "count": 0, "most_recent": null}"#)
    }

    @Test func mostRecentIsPrintedAsPythonPrintsFloats() throws {
        let small = try #require(decide(.insufficientData, outcome([0.00001, 0.00001], op: .lt, threshold: 1)))
        #expect(small.reason.hasSuffix("most recent: 1e-05"))
        let big = try #require(decide(.insufficientData, outcome([1e16, 1e16])))
        #expect(big.reason.hasSuffix("most recent: 1e+16"))
    }

    @Test func outliersAreDroppedBySampleCount() {
        // Counts 10, 10, 10, 10, 10, 10, 10, 10, 10, 1: the last period is weak.
        let values = (0..<9).map { (value: Double($0), count: 10.0) } + [(value: 99.0, count: 1.0)]
        #expect(ThresholdEvaluation.excludingOutliers(values) == (0..<9).map(Double.init))
        let even = [(value: 1.0, count: 3.0), (value: 2.0, count: 3.0)]
        #expect(ThresholdEvaluation.excludingOutliers(even) == [1, 2])
    }
}

/// Answers a legacy rule's two requests: the statistic, and the sample counts per period.
struct OutlierFetcher: StatisticsFetcher {
    var values: [Double]
    var counts: [Double]

    func fetch(_ request: StatisticsRequest) async throws(GnocchiClientError) -> [Datapoint] {
        guard case .aggregates(let operations, _, _, _, _, _) = request, case .list(let items) = operations,
              case .list(let reference) = items[2] else { throw GnocchiClientError(status: 400, message: "unexpected request") }
        let series = reference.last == "count" ? counts : values
        return series.enumerated().map { Datapoint(timestamp: "t\($0.offset)", granularity: 60, value: $0.element) }
    }
}

@Suite struct LegacyThresholdEvaluationTests {
    @Test func excludeOutliersDropsWeakPeriodsBeforeComparing() async {
        // Ten periods; the last one has a single sample and an outlying value.
        let fetcher = OutlierFetcher(values: Array(repeating: 1, count: 9) + [99], counts: Array(repeating: 10, count: 9) + [1])
        let rule = LegacyThresholdRule(meterName: "cpu_util", comparisonOperator: .gt, threshold: 50, evaluationPeriods: 2, excludeOutliers: true)
        let outcome = await AlarmEvaluator(fetcher: fetcher).evaluateRule(.threshold(rule), now: Date())
        #expect(outcome == RuleOutcome(verdict: .state(.ok), statistics: [1, 1], outsideCount: 0))
        var plain = rule
        plain.excludeOutliers = false
        let without = await AlarmEvaluator(fetcher: fetcher).evaluateRule(.threshold(plain), now: Date())
        #expect(without == RuleOutcome(verdict: .trending(.alarm), statistics: [1, 99], outsideCount: 1))
    }
}
