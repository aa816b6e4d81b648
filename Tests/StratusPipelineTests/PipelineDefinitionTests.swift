import Foundation
import StratusCore
import Testing
@testable import StratusPipeline

@Suite("pipeline.yaml parsing")
struct PipelineDefinitionTests {
    @Test func parsesSourcesSinksAndRoutes() throws {
        let definition = try Fixture.definition("""
            sources:
              - name: all
                meters: ["*", "!cpu"]
                sinks: [main, copy]
              - name: main
                meters: ["cpu"]
                sinks: [main]
            sinks:
              - name: main
                transformers:
                publishers: ["test://", "log"]
              - name: copy
                transformers:
                  - name: unit_conversion
                    parameters:
                      target: {scale: 2}
                publishers: ["file:///tmp/x.jsonl?max_bytes=10&backup_count=2"]
            """)
        #expect(definition.sources.map(\.name) == ["all", "main"])
        #expect(definition.sinks.map(\.name) == ["main", "copy"])
        #expect(definition.sinks[0].publishers.map(\.scheme) == ["test", "log"])
        #expect(definition.sinks[1].transformers.map(\.name) == ["unit_conversion"])
        #expect(definition.routes.map(\.name) == ["all:main", "all:copy", "main"])
        #expect(definition.sources[0].meters.selects("memory"))
        #expect(!definition.sources[0].meters.selects("cpu"))
    }

    @Test func theShippedPipelineValidatesWithAGnocchiStandIn() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipeline.yaml").path
        let definition = try PipelineDefinition.load(path: path, publishers: Fixture.registry, context: Fixture.publisherContext)
        #expect(definition.sources.map(\.name) == ["meter_source", "cpu_source", "disk_source", "network_source"])
        #expect(definition.sinks.allSatisfy { $0.publishers.map(\.text) == ["gnocchi://"] })
        #expect(definition.sinks.first { $0.name == "cpu_sink" }?.transformers.map(\.name) == ["rate_of_change"])
        // The built-in registry has the real gnocchi:// publisher: the shipped file validates as is.
        #expect(try PipelineDefinition.load(path: path, context: Fixture.publisherContext).sinks.count == 5)
        // And the built-in default the roles fall back to is that file.
        #expect(DefaultPipeline.text == (try String(contentsOfFile: path, encoding: .utf8)))
    }

    @Test func everyErrorHasFileLineAndReason() {
        let problems = Fixture.problems("""
            sources:
              - name: a
                meters: ["cpu", "!memory"]
                sinks: [s]
              - name: a
                meters: ["*"]
                sinks: [s]
              - name: b
                meters: ["*", "cpu"]
                sinks: [nowhere]
              - name: c
                meters: []
                sinks: [s, s]
              - name: d
                meters: ["x"]
            sinks:
              - name: s
                transformers:
                  - name: rate_of_change
                    parameters:
                      target:
                        scale: "100 / (10 ** "
                  - name: no_such_transformer
                  - name: aggregator
                    parameters:
                      size: -1
                publishers: ["test://", "ftp://host", "file://?max_bytes=x"]
              - name: s
                publishers: ["test://"]
              - name: empty
                publishers: []
            """)
        let rendered = problems.map(\.description)
        let expected = [
            "pipeline.yaml:3: source 'a': Both included and excluded meters specified",
            "pipeline.yaml:5: Duplicated source names: a (first at line 2)",
            "pipeline.yaml:9: source 'b': Included meters specified with wildcard",
            "pipeline.yaml:10: source 'b': Dangling sink nowhere from source b",
            "pipeline.yaml:12: source 'c': No meters specified",
            "pipeline.yaml:13: Duplicate pipeline name: c:s (first at line 13)",
            "pipeline.yaml:14: source 'd': No sink defined",
            "pipeline.yaml:22: sink 's': transformer 'rate_of_change': target.scale: ",
            "pipeline.yaml:23: sink 's': unknown transformer 'no_such_transformer'; valid: accumulator, aggregator, arithmetic, delta, rate_of_change, unit_conversion",
            "pipeline.yaml:26: sink 's': transformer 'aggregator': size: must be an integer >= 1",
            "pipeline.yaml:27: sink 's': unknown publisher scheme 'ftp' in 'ftp://host'; valid: file://, gnocchi://, http://, https://, log://, prometheus://, test://, udp://",
            "pipeline.yaml:27: sink 's': the path for the file publisher is required: 'file://?max_bytes=x'",
            "pipeline.yaml:28: Duplicated sink names: s (first at line 17)",
            "pipeline.yaml:31: sink 'empty': No publisher specified",
        ]
        #expect(rendered.count == expected.count, "\(rendered.joined(separator: "\n"))")
        for (got, want) in zip(rendered, expected) {
            #expect(got.hasPrefix(want), "\(got)")
        }
    }

    @Test func missingSectionsAndBadYAMLAreReported() {
        #expect(Fixture.problems("sources: []").map(\.description) == ["pipeline.yaml:1: sinks required"])
        #expect(Fixture.problems("sinks: []\nsources: []\nextra: 1").map(\.description)
            == ["pipeline.yaml:3: unknown key 'extra'; pipeline definitions hold 'sources' and 'sinks'"])
        #expect(Fixture.problems("sources: [\n").first?.description.hasPrefix("pipeline.yaml:") == true)
        #expect(Fixture.problems("- a\n- b").map(\.description)
            == ["pipeline.yaml:1: pipeline definitions must be a mapping with 'sources' and 'sinks' lists"])
    }

    @Test func publisherURLsAcceptBareSchemesAndOptions() throws {
        let bare = try PublisherURL("gnocchi")
        #expect(bare.scheme == "gnocchi")
        #expect(bare.location.isEmpty)
        let file = try PublisherURL("file:///var/log/samples.jsonl?max_bytes=1024&backup_count=3")
        #expect(file.scheme == "file")
        #expect(file.location == "/var/log/samples.jsonl")
        #expect(file.option("max_bytes") == "1024")
        #expect(file.option("backup_count") == "3")
        #expect(throws: PublisherConfigurationError.self) { try PublisherURL("://x") }
    }
}
