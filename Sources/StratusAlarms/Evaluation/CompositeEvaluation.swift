import StratusCore

/// The `composite` evaluator (reference C4, Aodh's `evaluator/composite.py`): the and/or tree is
/// read as an alarm expression and an ok expression (and ↔ or swapped), leaves are evaluated
/// lazily as the expressions need them, trending leaves are resolved when neither expression
/// holds, and what is still undecided is insufficient data.
public enum CompositeEvaluation {
    /// Decides the composite alarm's state.
    /// - Parameters:
    ///   - current: the alarm's state now.
    ///   - repeatActions: the alarm's `repeat_actions`.
    ///   - tree: the composite rule.
    ///   - evaluate: evaluates leaf `index` (depth-first, from 0) — called at most once per leaf.
    /// - Returns: nil when nothing is stored nor notified.
    public static func decide(
        current: AlarmState, repeatActions: Bool, tree: CompositeRule,
        evaluate: (Int, AlarmRule) async -> RuleOutcome
    ) async -> AlarmDecision? {
        var leaves: [AlarmRule] = []
        let expression = Expression(tree, leaves: &leaves)
        let targets = Targets(leaves: leaves)
        let form = expression.form

        for pass in 0..<2 {
            if pass == 1 {
                for index in leaves.indices { await targets.evaluate(index, evaluate) }
            }
            targets.resolveTrending(current: current)
            var decided: AlarmState?
            if await expression.holds(.alarm, targets, evaluate) {
                decided = .alarm
            } else if await expression.holds(.ok, targets, evaluate) {
                decided = .ok
            }
            if let state = decided {
                let causes = leaves.indices.filter { targets.states[$0] == state }
                let names = causes.map { "rule\($0 + 1)" }
                let lead = current != state ? "transition to" : "remaining as"
                let description = state == .alarm ? "outside their threshold." : "inside their threshold."
                let reason = "Composite rule alarm with composition form: \(form) \(lead) \(state.rawValue), "
                    + "due to rules: \(names.sorted().joined(separator: ", ")) \(description)"
                let decision = AlarmDecision(
                    previous: current, state: state, reason: reason,
                    reasonData: .composite(
                        compositionForm: form,
                        causativeRules: causes.map { (name: "rule\($0 + 1)", rule: CompositeRule.rule(leaves[$0]).json) }))
                return decision.isActedOn(repeatActions: repeatActions) ? decision : nil
            }
        }
        guard current != .insufficientData else { return nil }
        return AlarmDecision(
            previous: current, state: .insufficientData, reason: "state evaluated to unknown.",
            reasonData: .composite(compositionForm: form, causativeRules: nil))
    }

    /// The leaves' evaluation state.
    final class Targets {
        let leaves: [AlarmRule]
        var evaluated: [Bool]
        var states: [AlarmState?]
        var trending: [AlarmState?]

        init(leaves: [AlarmRule]) {
            self.leaves = leaves
            evaluated = Array(repeating: false, count: leaves.count)
            states = Array(repeating: nil, count: leaves.count)
            trending = Array(repeating: nil, count: leaves.count)
        }

        func evaluate(_ index: Int, _ evaluator: (Int, AlarmRule) async -> RuleOutcome) async {
            guard !evaluated[index] else { return }
            let outcome = await evaluator(index, leaves[index])
            states[index] = outcome.state
            trending[index] = outcome.trendingState
            evaluated[index] = true
        }

        /// Aodh's resolution: with the alarm unknown a trending leaf takes its trend; otherwise a leaf
        /// trending to alarm counts as ok and one trending to ok as alarm.
        func resolveTrending(current: AlarmState) {
            for index in leaves.indices {
                guard let trend = trending[index] else { continue }
                if current == .insufficientData {
                    states[index] = trend
                } else if trend == .alarm {
                    states[index] = .ok
                } else if trend == .ok {
                    states[index] = .alarm
                } else {
                    states[index] = current
                }
            }
        }
    }

    /// The tree with leaves numbered depth-first.
    indirect enum Expression {
        case and([Expression])
        case or([Expression])
        case leaf(Int)

        init(_ tree: CompositeRule, leaves: inout [AlarmRule]) {
            switch tree {
            case .and(let children):
                var parts: [Expression] = []
                for child in children { parts.append(Expression(child, leaves: &leaves)) }
                self = .and(parts)
            case .or(let children):
                var parts: [Expression] = []
                for child in children { parts.append(Expression(child, leaves: &leaves)) }
                self = .or(parts)
            case .rule(let rule):
                leaves.append(rule)
                self = .leaf(leaves.count - 1)
            }
        }

        /// "(rule1 and (rule2 or rule3))".
        var form: String {
            switch self {
            case .and(let parts): "(" + parts.map(\.form).joined(separator: " and ") + ")"
            case .or(let parts): "(" + parts.map(\.form).joined(separator: " or ") + ")"
            case .leaf(let index): "rule\(index + 1)"
            }
        }

        /// Whether the expression holds for `state`, evaluating leaves lazily, left to right with
        /// short-circuit. For `ok` the operators are swapped (an `and` is ok when any part is ok).
        func holds(
            _ state: AlarmState, _ targets: Targets, _ evaluator: (Int, AlarmRule) async -> RuleOutcome
        ) async -> Bool {
            switch self {
            case .leaf(let index):
                await targets.evaluate(index, evaluator)
                return targets.states[index] == state
            case .and(let parts), .or(let parts):
                var isAll = true
                if case .or = self { isAll = false }
                if state == .ok { isAll.toggle() }
                for part in parts {
                    let holds = await part.holds(state, targets, evaluator)
                    if isAll && !holds { return false }
                    if !isAll && holds { return true }
                }
                return isAll
            }
        }
    }
}
