import Foundation
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct CompositeEvaluationTests {
    static func leaf(_ metric: String) -> AlarmRule {
        .gnocchiResourcesThreshold(GnocchiResourcesThresholdRule(
            metric: metric, resourceID: "r", resourceType: "generic",
            criteria: ThresholdCriteria(comparisonOperator: .gt, threshold: 5, aggregationMethod: "mean")))
    }

    /// rule1 and (rule2 or rule3), as in aodh-observed.md.
    let tree = CompositeRule.and([.rule(leaf("m1")), .or([.rule(leaf("m2")), .rule(leaf("m3"))])])

    final class Calls: @unchecked Sendable { var indices: [Int] = [] }

    func decide(
        _ current: AlarmState, _ verdicts: [RuleOutcome.Verdict], repeat: Bool = false, calls: Calls = Calls()
    ) async -> AlarmDecision? {
        await CompositeEvaluation.decide(current: current, repeatActions: `repeat`, tree: tree) { index, _ in
            calls.indices.append(index)
            return RuleOutcome(verdict: verdicts[index], statistics: [1])
        }
    }

    @Test func alarmIsDecidedLazilyAndNamesOnlyEvaluatedCauses() async throws {
        let calls = Calls()
        let decision = try #require(await decide(.insufficientData, [.state(.alarm), .state(.alarm), .state(.ok)], calls: calls))
        #expect(calls.indices == [0, 1])
        #expect(decision.state == .alarm)
        #expect(decision.reason == "Composite rule alarm with composition form: (rule1 and (rule2 or rule3)) transition to alarm, due to rules: rule1, rule2 outside their threshold.")
        let leafJSON = CompositeRule.rule(Self.leaf("m1")).json
        guard case .composite(let form, let causes?) = decision.reasonData else { Issue.record("wrong reason data"); return }
        #expect(form == "(rule1 and (rule2 or rule3))")
        #expect(causes.map(\.name) == ["rule1", "rule2"])
        #expect(causes[0].rule == leafJSON)
        #expect(decision.reasonData.pythonJSON.hasPrefix(#"{"type": "composite", "composition_form": "(rule1 and (rule2 or rule3))", "causative_rules": {"rule1": {"aggregation_method": "mean", "comparison_operator": "gt", "evaluation_periods": 1, "granularity": 60, "metric": "m1", "resource_id": "r", "resource_type": "generic", "threshold": 5.0, "type": "gnocchi_resources_threshold"}, "rule2": "#))
    }

    @Test func okUsesTheSwappedExpressionButTheAlarmForm() async throws {
        let decision = try #require(await decide(.alarm, [.state(.alarm), .state(.ok), .state(.ok)]))
        #expect(decision.state == .ok)
        #expect(decision.reason == "Composite rule alarm with composition form: (rule1 and (rule2 or rule3)) transition to ok, due to rules: rule2, rule3 inside their threshold.")
    }

    @Test func okShortCircuitsOnTheFirstOkOfAnAnd() async throws {
        let calls = Calls()
        let decision = try #require(await decide(.alarm, [.state(.ok), .state(.alarm), .state(.alarm)], calls: calls))
        #expect(calls.indices == [0])
        #expect(decision.state == .ok)
        #expect(decision.reason.hasSuffix("due to rules: rule1 inside their threshold."))
    }

    @Test func remainingWithoutRepeatActionsIsSilent() async throws {
        #expect(await decide(.alarm, [.state(.alarm), .state(.alarm), .state(.ok)]) == nil)
        let again = try #require(await decide(.alarm, [.state(.alarm), .state(.alarm), .state(.ok)], repeat: true))
        #expect(again.reason.contains(") remaining as alarm, due to rules: rule1, rule2 outside"))
    }

    @Test func trendingLeavesAreResolvedAfterEvaluatingAll() async throws {
        // From unknown, a leaf trending to alarm counts as alarm.
        let calls = Calls()
        let fromUnknown = try #require(await decide(.insufficientData, [.state(.alarm), .trending(.alarm), .state(.ok)], calls: calls))
        #expect(calls.indices == [0, 1, 2])
        #expect(fromUnknown.state == .alarm)
        #expect(fromUnknown.reason.hasSuffix("due to rules: rule1, rule2 outside their threshold."))
        // From a decided state, a leaf trending to alarm counts as ok, and one trending to ok as alarm.
        let fromOk = try #require(await decide(.alarm, [.state(.alarm), .trending(.alarm), .state(.ok)]))
        #expect(fromOk.state == .ok)
        #expect(fromOk.reason.hasSuffix("due to rules: rule2, rule3 inside their threshold."))
        let flipped = try #require(await decide(.ok, [.state(.alarm), .trending(.ok), .state(.ok)]))
        #expect(flipped.state == .alarm)
    }

    @Test func undecidedIsUnknown() async throws {
        let unknown = try #require(await decide(.ok, [.insufficient("No datapoint for granularity 60"), .state(.ok), .state(.alarm)]))
        #expect(unknown.state == .insufficientData)
        #expect(unknown.reason == "state evaluated to unknown.")
        #expect(unknown.reasonData.pythonJSON == #"{"type": "composite", "composition_form": "(rule1 and (rule2 or rule3))"}"#)
        #expect(await decide(.insufficientData, [.insufficient("x"), .state(.ok), .state(.alarm)]) == nil)
    }

    @Test func aSingleLeafHasNoParentheses() async throws {
        let decision = try #require(await CompositeEvaluation.decide(
            current: .insufficientData, repeatActions: false, tree: .rule(Self.leaf("m"))
        ) { _, _ in RuleOutcome(verdict: .state(.ok), statistics: [1]) })
        #expect(decision.reason == "Composite rule alarm with composition form: rule1 transition to ok, due to rules: rule1 inside their threshold.")
    }

    @Test func rulesAreNumberedDepthFirstAndCausesSortedAsText() async throws {
        let many = CompositeRule.or((1...11).map { .rule(Self.leaf("m\($0)")) })
        let decision = try #require(await CompositeEvaluation.decide(current: .alarm, repeatActions: false, tree: many) { _, _ in
            RuleOutcome(verdict: .state(.ok), statistics: [1])
        })
        #expect(decision.reason.hasSuffix("due to rules: rule1, rule10, rule11, rule2, rule3, rule4, rule5, rule6, rule7, rule8, rule9 inside their threshold."))
    }
}
