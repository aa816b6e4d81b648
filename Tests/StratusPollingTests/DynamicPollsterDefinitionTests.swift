import Foundation
import Logging
import StratusCore
import Testing
@testable import StratusPolling

@Suite struct DynamicPollsterDefinitionTests {
    @Test func readsEveryFieldOfAFixtureDefinition() throws {
        let directory = EndpointTestSupport.fixture("dynamic/valid")
        let result = DynamicPollsterLoader.read(directories: [directory])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.definitions.map(\.name) == ["dynamic.server.status", "dynamic.queue.depth", "dynamic.volume.size"])
        let status = try #require(result.definitions.first)
        #expect(status.sampleType == .gauge)
        #expect(status.unit == "server")
        #expect(status.endpointType == "compute")
        #expect(status.urlPath == "servers/detail")
        #expect(status.defaultDiscovery == "endpoint:compute")
        #expect(status.responseEntriesKey?.text == "servers")
        #expect(status.valueAttribute.segments == ["status"])
        #expect(status.valueMapping.map(\.from) == [.string("ACTIVE"), .string("SHUTOFF")])
        #expect(status.valueMapping.map(\.to) == [.number("1"), .number("0")])
        #expect(status.defaultValue == .number("-1"))
        #expect(status.skipSampleValues == [.string("DELETED")])
        #expect(status.metadataFields.map(\.text) == ["name", "flavor.name"])
        #expect(status.metadataMapping == ["name": "display_name"])
        #expect(status.preserveMappedMetadata == false)
        #expect(status.userIDAttribute.text == "user_id")
        #expect(status.projectIDAttribute.text == "tenant_id")
        #expect(status.resourceIDAttribute.text == "id")
        #expect(status.headers == ["X-OpenStack-Nova-API-Version": "2.46"])
        #expect(status.timeout == 5)
        #expect(status.nextSampleURLAttribute?.text == "next")
        #expect(status.namespaces == ["central"])
        #expect(status.responseHandlers == [.json])
        #expect(status.file == directory + "/compute.yaml")
        #expect(status.line == 4)

        let queue = result.definitions[1]
        #expect(queue.endpointType == nil)
        #expect(queue.defaultDiscovery == nil)
        #expect(DynamicPollster(definition: queue, services: EndpointServices(source: .none)).defaultDiscovery
            == "dynamic_pollster:dynamic.queue.depth")
        #expect(queue.timeout == 30)
        #expect(queue.namespaces == ["central"])
        #expect(queue.valueAttribute.segments == ["stats", "depth"])
        #expect(queue.preserveMappedMetadata)
    }

    @Test func duplicateNamesAreSkippedWithTheirLocation() throws {
        let directory = EndpointTestSupport.fixture("dynamic/valid")
        let result = DynamicPollsterLoader.read(directories: [directory])
        #expect(result.duplicates.count == 1)
        let duplicate = try #require(result.duplicates.first)
        #expect(duplicate.file == directory + "/more.yml")
        #expect(duplicate.line == 1)
        #expect(duplicate.reason.contains("first defined at \(directory)/compute.yaml:4"))
        #expect(try DynamicPollsterLoader.load(directories: [directory], logger: Logger(label: "test")).count == 3)
    }

    @Test func validateListsEveryErrorWithFileAndLine() {
        let directory = EndpointTestSupport.fixture("dynamic/invalid")
        let errors = DynamicPollsterLoader.validate(directories: [directory])
        let described = errors.map(\.description)
        #expect(errors.count == 4, "\(described)")
        #expect(described.contains("\(directory)/bad.yaml:1: required field 'unit' is missing or empty"))
        #expect(described.contains(
            "\(directory)/bad.yaml:7: invalid sample_type 'counter'; valid ones are gauge, delta, cumulative"))
        #expect(described.contains { $0.hasPrefix("\(directory)/bad.yaml:18: unknown field 'skip_sample_value'") })
        #expect(described.contains { $0.hasPrefix("\(directory)/broken.yaml:4: invalid YAML") })
        #expect(throws: ConfigurationError.self) {
            try DynamicPollsterLoader.load(directories: [directory], logger: Logger(label: "test"))
        }
    }

    @Test func missingDirectoryGivesNothing() {
        let result = DynamicPollsterLoader.read(directories: ["/nonexistent/pollsters.d"])
        #expect(result.definitions.isEmpty)
        #expect(result.errors.isEmpty)
    }

    static let base = """
        name: "x.y"
        sample_type: gauge
        unit: B
        endpoint_type: compute
        url_path: servers
        value_attribute: status

        """

    @Test(arguments: [
        ("value_attribute: \"status | value.split()\"\n", 6, "only the methods lower(), upper() and strip()"),
        ("value_attribute: \"status | 2 * 3\"\n", 6, "must use the variable 'value'"),
        ("value_attribute: \"status | __import__(value)\"\n", 6, "unknown name '__import__'"),
        ("module: \"mymodule\"\n", 7, "field 'module' is not supported"),
        ("extra_metadata_fields: []\n", 7, "field 'extra_metadata_fields' is not supported"),
        ("response_handlers: [xml]\n", 7, "invalid response handler 'xml'"),
        ("namespaces: [compute, storage]\n", 7, "unknown namespace 'storage'"),
        ("timeout: 0\n", 7, "timeout must be a positive number"),
        ("timeout: soon\n", 7, "'timeout' must be a number"),
        ("headers: [a, b]\n", 7, "'headers' must be a mapping"),
        ("value_mapping: {a: [1]}\n", 7, "must map values to values"),
        ("metadata_fields: [\"a..b\"]\n", 7, "invalid metadata_fields: 'a..b' has an empty segment"),
        ("preserve_mapped_metadata: maybe\n", 7, "must be true or false"),
    ])
    func rejectsInvalidFieldsAtTheirLine(extra: String, line: Int, reason: String) {
        var yaml = Self.base + extra
        if extra.hasPrefix("value_attribute") {
            yaml = yaml.replacingOccurrences(of: "value_attribute: status\n", with: "")
        }
        let parsed = DynamicPollsterDefinitionParser.parse(yaml, file: "p.yaml")
        #expect(parsed.definitions.isEmpty)
        let error = parsed.errors.first
        #expect(error?.file == "p.yaml")
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func fullURLWithoutEndpointTypeIsAccepted() throws {
        let definition = try EndpointTestSupport.definition("""
            - name: ext.metric
              sample_type: delta
              unit: B
              url_path: "https://api.example/v1/stats"
              value_attribute: "."
              resource_id_attribute: "name"
            """)
        #expect(definition.endpointType == nil)
        #expect(definition.valueAttribute.segments.isEmpty)
        #expect(definition.sampleType == .delta)
    }

    @Test func relativeURLNeedsAnEndpointType() {
        let parsed = DynamicPollsterDefinitionParser.parse("""
            - name: ext.metric
              sample_type: gauge
              unit: B
              url_path: "v1/stats"
              value_attribute: value
            """, file: "p.yaml")
        #expect(parsed.errors.first?.line == 4)
        #expect(parsed.errors.first?.reason.contains("needs endpoint_type") == true)
    }

    @Test(arguments: ["a b", "a..b", ".a", "a.", "x.{cat egory}", "{x}", "a/b"])
    func rejectsInvalidNames(name: String) {
        let parsed = DynamicPollsterDefinitionParser.parse(Self.base.replacingOccurrences(of: "\"x.y\"", with: "\"\(name)\""), file: "p.yaml")
        #expect(parsed.definitions.isEmpty)
        #expect(parsed.errors.first?.line == 1)
    }

    @Test(arguments: ["a", "a.b-c.d_e", "hardware.ipmi.x1", "dynämic.ok"])
    func acceptsValidNames(name: String) {
        let parsed = DynamicPollsterDefinitionParser.parse(Self.base.replacingOccurrences(of: "\"x.y\"", with: "\"\(name)\""), file: "p.yaml")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.definitions.first?.name == name)
    }

    @Test func aFileMustHoldAListOrAMapping() {
        let parsed = DynamicPollsterDefinitionParser.parse("just text\n", file: "p.yaml")
        #expect(parsed.errors.first?.reason.contains("must hold a list of definitions") == true)
        #expect(DynamicPollsterDefinitionParser.parse("", file: "p.yaml").errors.isEmpty)
        let item = DynamicPollsterDefinitionParser.parse("- 5\n", file: "p.yaml")
        #expect(item.errors.first?.reason.contains("must be a mapping") == true)
    }

    @Test func readsAMultiMetricPollster() throws {
        let definition = try EndpointTestSupport.definition("""
            - name: "dynamic.api.{category}"
              sample_type: cumulative
              unit: request
              endpoint_type: compute
              url_path: stats
              value_attribute: "[categories].counters.total"
            """)
        let multi = try #require(definition.multiMetric)
        #expect(multi.nameAttribute == "category")
        #expect(multi.listKey == "categories")
        #expect(multi.valuePath.segments == ["counters", "total"])
    }

    @Test(arguments: ["status", "[categories]", "[cat egories].x", "[categories].", "categories.x"])
    func aMultiMetricPollsterNeedsAListValueAttribute(valueAttribute: String) {
        let parsed = DynamicPollsterDefinitionParser.parse("""
            - name: "dynamic.api.{category}"
              sample_type: gauge
              unit: request
              endpoint_type: compute
              url_path: stats
              value_attribute: "\(valueAttribute)"
            """, file: "p.yaml")
        #expect(parsed.errors.first?.line == 6)
        #expect(parsed.errors.first?.reason.contains("form '[list].field'") == true, "\(parsed.errors)")
    }
}
