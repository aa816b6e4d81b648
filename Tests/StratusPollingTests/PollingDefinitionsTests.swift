import StratusCore
import StratusPolling
import Testing

@Suite struct PollingDefinitionsTests {
    // MARK: - Meter list rules (B2)

    @Test(arguments: [
        (["cpu", "memory.*"], "cpu", true), (["cpu", "memory.*"], "memory.usage", true), (["cpu", "memory.*"], "disk.x", false),
        (["*"], "anything", true), (["*", "!cpu"], "cpu", false), (["*", "!cpu"], "vcpus", true),
        (["!cpu", "!disk.*"], "memory", true), (["!cpu", "!disk.*"], "disk.device.read.bytes", false),
        (["cpu*"], "cpu_util", true), (["cpu*"], "vcpus", false), (["disk.device.[rw]*.bytes"], "disk.device.write.bytes", true),
        (["*.bytes", "!disk.*"], "network.incoming.bytes", true), (["*.bytes", "!disk.*"], "disk.device.read.bytes", false),
    ])
    func metersSelectAsCeilometer(meters: [String], meter: String, selected: Bool) throws {
        #expect(try MeterSelector(meters).selects(meter) == selected)
    }

    @Test func rejectsMixedIncludeAndExcludeMeters() {
        #expect(throws: MeterSelector.Violation.includedAndExcluded) { try MeterSelector(["cpu", "!memory"]) }
    }

    @Test func rejectsWildcardWithExplicitNames() {
        #expect(throws: MeterSelector.Violation.wildcardWithIncludes) { try MeterSelector(["*", "cpu"]) }
    }

    @Test func rejectsEmptyMeterList() {
        #expect(throws: MeterSelector.Violation.empty) { try MeterSelector([]) }
        #expect(throws: MeterSelector.Violation.emptyItem) { try MeterSelector([""]) }
    }

    @Test func acceptsWildcardWithExcludesAndExcludesOnly() throws {
        _ = try MeterSelector(["*", "!cpu"])
        _ = try MeterSelector(["!cpu"])
        // A pattern starting with `*` is not an "included" item for the mixing rule.
        _ = try MeterSelector(["*.bytes", "!disk.*"])
    }

    // MARK: - File parsing

    @Test func parsesSourcesAndIntervals() throws {
        let definitions = try PollingDefinitions.parse(yaml: """
            ---
            sources:
              - name: fast
                interval: 10
                meters: ["cpu", "memory.*"]
              - name: slow
                interval: 300
                meters:
                  - "*"
                resources: ["snmp://host"]
                discovery: ["local_node", "endpoint:image"]
              - name: fast2
                interval: 10
                meters: ["!cpu"]
            """, file: "polling.yaml")
        #expect(definitions.sources.map(\.name) == ["fast", "slow", "fast2"])
        #expect(definitions.intervals == [10, 300])
        #expect(definitions.sources[1].resources == ["snmp://host"])
        #expect(definitions.sources[1].discovery == ["local_node", "endpoint:image"])
        #expect(definitions.sources[0].line == 3)
        #expect(DiscoveryName("endpoint:image") == DiscoveryName("endpoint://image"))
        #expect(DiscoveryName("endpoint:image").parameter == "image")
        #expect(DiscoveryName("local_node").parameter == nil)
    }

    @Test func defaultDefinitionsPollEverythingEvery300Seconds() throws {
        let definitions = try PollingDefinitions.parse(yaml: DefaultPollingDefinitions.yaml, file: "default")
        #expect(definitions.sources.count == 1)
        #expect(definitions.sources[0].interval == 300)
        #expect(definitions.sources[0].meters.selects("hardware.cpu.util"))
    }

    @Test func reportsEveryProblemWithFileLineAndReason() {
        let yaml = """
            sources:
              - name: a
                interval: 60
                meters: ["cpu", "!memory"]
              - name: b
                meters: ["*", "cpu"]
              - name: a
                interval: -5
                meters: ["cpu"]
              - interval: abc
                meters: "cpu"
                resource: ["typo"]
            """
        #expect {
            try PollingDefinitions.parse(yaml: yaml, file: "bad.yaml")
        } throws: { error in
            guard let error = error as? PollingDefinitionsError else { return false }
            let text = error.problems.map(\.description)
            return text == [
                "bad.yaml:4: source 'a': Both included and excluded meters specified",
                "bad.yaml:5: source 'b': Missing interval value",
                "bad.yaml:6: source 'b': Included meters specified with wildcard",
                "bad.yaml:7: Duplicated source names: a (first at line 2)",
                "bad.yaml:8: source 'a': Interval value should > 0, got -5",
                "bad.yaml:10: Missing name value",
                "bad.yaml:12: source: unknown key 'resource'; valid keys: discovery, group_id_coordination_expression, interval, meters, name, resources",
                "bad.yaml:10: source: Invalid interval value 'abc'",
                "bad.yaml:11: source: Meters should be a list",
            ]
        }
    }

    @Test func missingSourcesAndInvalidYAMLAreReported() {
        #expect(throws: PollingDefinitionsError([ConfigurationError(file: "f.yaml", line: 1, reason: "sources required")])) {
            try PollingDefinitions.parse(yaml: "foo: 1\n", file: "f.yaml")
        }
        #expect {
            try PollingDefinitions.parse(yaml: "sources: [\n", file: "f.yaml")
        } throws: { error in
            (error as? PollingDefinitionsError)?.problems.first?.reason.hasPrefix("invalid YAML") == true
        }
    }

    @Test func intervalIsTruncatedLikePythonInt() throws {
        let definitions = try PollingDefinitions.parse(
            yaml: "sources:\n  - name: a\n    interval: 30.7\n    meters: ['*']\n", file: "f")
        #expect(definitions.sources[0].interval == 30)
    }
}
