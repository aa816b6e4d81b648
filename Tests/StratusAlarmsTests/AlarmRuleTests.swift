import Foundation
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct AlarmRuleTests {
    func parse(_ type: String, _ rule: TelemetryValue) throws(AlarmValidationError) -> AlarmRule {
        try AlarmRule.parse(type: type, rule: rule)
    }

    func reason(_ type: String, _ rule: TelemetryValue) -> String? {
        do {
            _ = try parse(type, rule)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func resourcesThresholdFillsAodhDefaults() throws {
        let rule = try parse(
            "gnocchi_resources_threshold",
            ["metric": "cpu_util", "resource_id": "r1", "resource_type": "instance", "aggregation_method": "mean", "threshold": 10])
        #expect(rule.type == "gnocchi_resources_threshold")
        #expect(rule.json == [
            "metric": "cpu_util", "resource_id": "r1", "resource_type": "instance", "aggregation_method": "mean",
            "threshold": 10.0, "comparison_operator": "eq", "granularity": 60, "evaluation_periods": 1,
        ])
        #expect(rule.alarmIDs == [])
    }

    @Test func resourcesThresholdRequiresItsFields() {
        let base: [String: TelemetryValue] = [
            "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "mean", "threshold": 1,
        ]
        for field in ["metric", "resource_id", "resource_type", "aggregation_method", "threshold"] {
            var rule = base
            rule[field] = nil
            #expect(reason("gnocchi_resources_threshold", .dictionary(rule)) == "gnocchi_resources_threshold_rule: \(field) is mandatory")
        }
    }

    @Test(arguments: [
        ("granularity", TelemetryValue.int(0), "granularity must be between 1 and 31536000, got 0"),
        ("granularity", .int(31_536_001), "granularity must be between 1 and 31536000, got 31536001"),
        ("evaluation_periods", .int(0), "evaluation_periods must be between 1 and 100, got 0"),
        ("evaluation_periods", .int(101), "evaluation_periods must be between 1 and 100, got 101"),
        ("comparison_operator", .string("bigger"), "comparison_operator must be one of: lt, le, eq, ne, ge, gt, not bigger"),
        ("aggregation_method", .string("avg"), "aggregation_method should be one of the aggregation methods of /v1/capabilities, not avg"),
        ("threshold", .string("abc"), "gnocchi_resources_threshold_rule: threshold must be a number, could not convert string to float: 'abc'"),
        ("granularity", .string("x"), "gnocchi_resources_threshold_rule: granularity must be an integer"),
        ("bogus", .int(1), "Unknown attribute for argument gnocchi_resources_threshold_rule: bogus"),
    ])
    func resourcesThresholdValidatesRanges(field: String, value: TelemetryValue, expected: String) {
        var rule: [String: TelemetryValue] = [
            "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "mean", "threshold": 1,
        ]
        rule[field] = value
        #expect(reason("gnocchi_resources_threshold", .dictionary(rule)) == expected)
    }

    @Test func aggregationMethodsComeFromTheCaller() throws {
        let rule: TelemetryValue = [
            "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "rate:mean", "threshold": 1,
        ]
        _ = try parse("gnocchi_resources_threshold", rule)
        #expect(throws: AlarmValidationError.self) {
            try AlarmRule.parse(type: "gnocchi_resources_threshold", rule: rule, aggregationMethods: ["mean"])
        }
        #expect(ThresholdCriteria.gnocchiAggregationMethods.count == 216)
        #expect(ThresholdCriteria.gnocchiAggregationMethods.isSuperset(of: ["95pct", "rate:last", "count", "std"]))
    }

    @Test func numericStringsAreAcceptedAsWSMEDoes() throws {
        let rule = try parse(
            "gnocchi_resources_threshold",
            ["metric": "cpu", "resource_id": "r", "resource_type": "generic", "aggregation_method": "max",
             "threshold": "2.5", "granularity": "300", "evaluation_periods": 3.0, "comparison_operator": nil])
        guard case .gnocchiResourcesThreshold(let parsed) = rule else { Issue.record("wrong case"); return }
        #expect(parsed.criteria == ThresholdCriteria(comparisonOperator: .eq, threshold: 2.5, aggregationMethod: "max", granularity: 300, evaluationPeriods: 3))
    }

    @Test func byMetricsNeedsMetricIDs() throws {
        let rule = try parse(
            "gnocchi_aggregation_by_metrics_threshold",
            ["metrics": ["a", "b"], "aggregation_method": "mean", "threshold": 5, "comparison_operator": "gt"])
        #expect(rule.json == [
            "metrics": ["a", "b"], "aggregation_method": "mean", "threshold": 5.0, "comparison_operator": "gt",
            "granularity": 60, "evaluation_periods": 1,
        ])
        #expect(reason("gnocchi_aggregation_by_metrics_threshold", ["metrics": [], "aggregation_method": "mean", "threshold": 5])
            == "metrics must hold at least one metric id")
        #expect(reason("gnocchi_aggregation_by_metrics_threshold", ["metrics": "a", "aggregation_method": "mean", "threshold": 5])
            == "metrics must be a list of metric ids")
    }

    @Test func byResourcesQueryMustBeJSONAndIsScopedToAProject() throws {
        let rule = try parse(
            "gnocchi_aggregation_by_resources_threshold",
            ["metric": "cpu", "query": #"{"=": {"server_group": "web"}}"#, "resource_type": "instance",
             "aggregation_method": "mean", "threshold": 50])
        let scoped = rule.scoped(toProject: "p1")
        guard case .gnocchiAggregationByResourcesThreshold(let parsed) = scoped else { Issue.record("wrong case"); return }
        #expect(try TelemetryJSON.decode(parsed.query) == [
            "and": [
                ["or": [["=": ["created_by_project_id": "p1"]], ["=": ["project_id": "p1"]]]],
                ["=": ["server_group": "web"]],
            ],
        ])
        #expect(reason("gnocchi_aggregation_by_resources_threshold",
                       ["metric": "cpu", "query": "not json", "resource_type": "instance", "aggregation_method": "mean", "threshold": 50])
            == "Invalid input for field/attribute query. Value: 'not json'. query must be a JSON object")
        // Other rules are not changed by scoping.
        let other = try parse("combination", ["alarm_ids": [.string(UUID().uuidString)]])
        #expect(other.scoped(toProject: "p1") == other)
    }

    @Test func legacyThresholdDefaults() throws {
        let rule = try parse("threshold", ["meter_name": "cpu_util", "threshold": 70,
                                           "query": [["field": "resource_id", "value": "r1"]]])
        #expect(rule.json == [
            "meter_name": "cpu_util", "query": [["field": "resource_id", "op": "eq", "value": "r1"]], "period": 60,
            "comparison_operator": "eq", "threshold": 70.0, "statistic": "avg", "evaluation_periods": 1,
            "exclude_outliers": false,
        ])
        #expect(reason("threshold", ["meter_name": "cpu", "threshold": 1, "statistic": "median"])
            == "statistic must be one of: max, min, avg, sum, count, not median")
        #expect(reason("threshold", ["meter_name": "cpu", "threshold": 1, "period": 0])
            == "period must be between 1 and 31536000, got 0")
        #expect(reason("threshold", ["meter_name": "cpu", "threshold": 1, "query": [["field": "a", "op": "like", "value": "x"]]])
            == "query op must be one of: lt, le, eq, ne, ge, gt, not like")
    }

    @Test func combinationDefaultsToAnd() throws {
        let a = UUID(), b = UUID()
        let rule = try parse("combination", ["alarm_ids": [.string(a.uuidString), .string(b.lowercaseText), .string(a.uuidString)]])
        #expect(rule.alarmIDs == [a, b])
        #expect(rule.json == ["operator": "and", "alarm_ids": [.string(a.lowercaseText), .string(b.lowercaseText)]])
        #expect(reason("combination", ["alarm_ids": ["nope"]]) == #"alarm_ids must be a list of alarm ids, got "nope""#)
        #expect(reason("combination", ["operator": "xor", "alarm_ids": [.string(a.uuidString)]]) == "operator must be one of: and, or, not xor")
        #expect(reason("combination", [:]) == "combination_rule: alarm_ids is mandatory")
    }

    static let leaf: TelemetryValue = [
        "type": "gnocchi_resources_threshold", "metric": "cpu", "resource_id": "r1", "resource_type": "generic",
        "aggregation_method": "mean", "threshold": 1,
    ]

    @Test func compositeParsesNestedTreesWithTypedLeaves() throws {
        let rule = try parse("composite", ["or": [Self.leaf, ["and": [Self.leaf, Self.leaf]]]])
        guard case .composite(let tree) = rule else { Issue.record("wrong case"); return }
        #expect(tree.leaves.count == 3)
        guard case .dictionary(let json) = rule.json, case .list(let children)? = json["or"],
              case .dictionary(let first) = children[0] else { Issue.record("bad json"); return }
        #expect(first["type"] == "gnocchi_resources_threshold")
        #expect(first["granularity"] == 60)
        #expect(try AlarmRule.parse(type: "composite", rule: rule.json) == rule)
    }

    @Test func compositeRejectsWhatAodhRejects() {
        #expect(reason("composite", ["xor": [Self.leaf]]) == #"Threshold rules should be combined with "and" or "or""#)
        #expect(reason("composite", ["or": [["metric": "cpu", "threshold": 1]]]) == "type must be set in every rule")
        #expect(reason("composite", ["or": [["type": "combination", "alarm_ids": []]]])
            == "Unsupported sub-rule type :combination in composite rule, should be one of: ['gnocchi_aggregation_by_metrics_threshold', 'gnocchi_aggregation_by_resources_threshold', 'gnocchi_resources_threshold', 'threshold']")
        #expect(reason("composite", ["and": []]) != nil)
        #expect(reason("composite", "rule") != nil)
    }

    @Test func unknownTypesAreRefused() {
        #expect(reason("event", [:])?.hasPrefix("type must be one of: combination, composite") == true)
        #expect(reason("gnocchi_resources_threshold", "not an object") == "gnocchi_resources_threshold_rule must be a JSON object")
    }

    @Test(arguments: ComparisonOperator.allCases)
    func comparisonOperatorsCompare(op: ComparisonOperator) {
        let expected: [Bool] = switch op {
        case .lt: [true, false, false]
        case .le: [true, true, false]
        case .eq: [false, true, false]
        case .ne: [true, false, true]
        case .ge: [false, true, true]
        case .gt: [false, false, true]
        }
        #expect([1.0, 2.0, 3.0].map { op.compare($0, 2) } == expected)
    }
}
