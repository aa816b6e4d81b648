import StratusCore
import Testing
@testable import StratusPolling

@Suite struct DynamicSampleExtractorTests {
    static func extractor(_ extra: String = "", valueAttribute: String = "status") throws -> DynamicSampleExtractor {
        DynamicSampleExtractor(definition: try EndpointTestSupport.definition("""
            - name: dyn.meter
              sample_type: gauge
              unit: unit
              endpoint_type: compute
              url_path: things
              value_attribute: "\(valueAttribute)"
            \(extra)
            """))
    }

    static func json(_ text: String) throws -> JSONNode {
        try JSONNodeParser.parse(text)
    }

    @Test func entriesDefaultToTheFirstKeyOfAnObject() throws {
        let page = try Self.extractor(valueAttribute: "v").extract(
            Self.json(#"{"things": [{"id": "a", "v": 1}, {"id": "b", "v": 2.5}], "other": []}"#), endpoint: "http://x")
        #expect(page.samples.map(\.resourceID) == ["a", "b"])
        #expect(page.samples.map(\.volume) == [.int(1), .double(2.5)])
        #expect(page.samples.allSatisfy { $0.name == "dyn.meter" && $0.type == .gauge && $0.unit == "unit" })
    }

    @Test func aListResponseIsTheEntries() throws {
        let page = try Self.extractor(valueAttribute: "v").extract(Self.json(#"[{"id": 7, "v": "3"}]"#), endpoint: "http://x")
        #expect(page.samples.first?.resourceID == "7")
        #expect(page.samples.first?.volume == .double(3))
    }

    @Test func nestedEntriesKeyAndDottedValuePath() throws {
        let extractor = try Self.extractor("  response_entries_key: data.items\n", valueAttribute: "usage.bytes")
        let page = extractor.extract(
            try Self.json(#"{"data": {"items": [{"id": "a", "usage": {"bytes": 1024}}, {"id": "b", "usage": {}}]}}"#),
            endpoint: "http://x")
        #expect(page.samples.map(\.volume) == [.int(1024)])
        #expect(page.problems == ["value_attribute 'usage.bytes' is not in the entry"])
    }

    @Test func aSingleObjectUnderTheKeyIsOneEntry() throws {
        let extractor = try Self.extractor("  response_entries_key: quota\n", valueAttribute: "used")
        let page = extractor.extract(try Self.json(#"{"quota": {"id": "q", "used": 4}}"#), endpoint: "http://x")
        #expect(page.samples.map(\.volume) == [.int(4)])
    }

    @Test func missingEntriesKeyIsAProblem() throws {
        let extractor = try Self.extractor("  response_entries_key: servers\n")
        let page = extractor.extract(try Self.json(#"{"error": "x"}"#), endpoint: "http://x")
        #expect(page.samples.isEmpty)
        #expect(page.problems == ["response_entries_key 'servers' is not in the response"])
    }

    @Test func valueMappingWithDefaultAndSkipValues() throws {
        let extractor = try Self.extractor("""
              value_mapping: {ACTIVE: 1, SHUTOFF: 0, 5: 50}
              default_value: -1
              skip_sample_values: [DELETED, 0]
            """)
        let page = extractor.extract(try Self.json(#"""
            [{"id": "a", "status": "ACTIVE"}, {"id": "b", "status": "SHUTOFF"}, {"id": "c", "status": "ERROR"},
             {"id": "d", "status": "DELETED"}, {"id": "e", "status": 0.0}, {"id": "f", "status": 5.0}]
            """#), endpoint: "http://x")
        #expect(page.samples.map(\.resourceID) == ["a", "b", "c", "f"])
        #expect(page.samples.map(\.volume) == [.int(1), .int(0), .int(-1), .int(50)])
        #expect(page.skipped == 2)
    }

    @Test func unmappedTextValuesAreProblemsNotSamples() throws {
        let page = try Self.extractor().extract(Self.json(#"[{"id": "a", "status": "ACTIVE"}, {"id": "b", "status": true}]"#), endpoint: "http://x")
        #expect(page.samples.map(\.volume) == [.int(1)])
        #expect(page.problems.count == 1)
        #expect(page.problems.first?.contains("not a number (map it with value_mapping)") == true)
    }

    @Test func metadataFieldsAndMapping() throws {
        let preserving = try Self.extractor("""
              metadata_fields: [name, flavor.name, missing]
              metadata_mapping: {name: display_name, flavor.name: flavor}
            """)
        let entry = #"[{"id": "a", "status": 1, "name": "vm1", "flavor": {"name": "m1.small"}}]"#
        let kept = try #require(preserving.extract(try Self.json(entry), endpoint: "http://x").samples.first)
        #expect(kept.resourceMetadata == [
            "name": "vm1", "display_name": "vm1", "flavor.name": "m1.small", "flavor": "m1.small", "missing": nil,
        ])
        let renaming = try Self.extractor("""
              metadata_fields: [name, flavor.name]
              metadata_mapping: {name: display_name}
              preserve_mapped_metadata: false
            """)
        let renamed = try #require(renaming.extract(try Self.json(entry), endpoint: "http://x").samples.first)
        #expect(renamed.resourceMetadata == ["display_name": "vm1", "flavor.name": "m1.small"])
    }

    @Test func idAttributes() throws {
        let extractor = try Self.extractor("""
              user_id_attribute: owner.user
              project_id_attribute: tenant_id
              resource_id_attribute: uuid
            """)
        let page = extractor.extract(try Self.json(#"""
            [{"uuid": "r1", "status": 1, "owner": {"user": "u1"}, "tenant_id": "p1"},
             {"uuid": 12345678901234567890, "status": 1, "tenant_id": null},
             {"status": 1}]
            """#), endpoint: "http://x")
        #expect(page.samples.count == 2)
        #expect(page.samples[0].userID == "u1")
        #expect(page.samples[0].projectID == "p1")
        #expect(page.samples[0].resourceID == "r1")
        #expect(page.samples[1].resourceID == "12345678901234567890")
        #expect(page.samples[1].userID == nil)
        #expect(page.samples[1].projectID == nil)
        #expect(page.problems == ["resource_id_attribute 'uuid' is not in the entry"])
    }

    @Test func nextPageURLRelativeOrAbsolute() throws {
        let extractor = try Self.extractor("  next_sample_url_attribute: links.next\n")
        let relative = extractor.extract(
            try Self.json(#"{"things": [{"id": "a", "status": 1}], "links": {"next": "things?marker=a"}}"#),
            endpoint: "http://h:8774/v2.1")
        #expect(relative.nextURL == "http://h:8774/v2.1/things?marker=a")
        let absolute = extractor.extract(
            try Self.json(#"{"things": [{"id": "a", "status": 1}], "links": {"next": "http://other/p?x=1"}}"#),
            endpoint: "http://h:8774/v2.1")
        #expect(absolute.nextURL == "http://other/p?x=1")
        let last = extractor.extract(try Self.json(#"{"things": [{"id": "a", "status": 1}], "links": {}}"#), endpoint: "http://h")
        #expect(last.nextURL == nil)
        let empty = extractor.extract(try Self.json(#"{"things": [], "links": {"next": "again"}}"#), endpoint: "http://h")
        #expect(empty.nextURL == nil)
    }

    @Test func listIndexInAPath() throws {
        let extractor = try Self.extractor("  next_sample_url_attribute: links.0.href\n")
        let page = extractor.extract(
            try Self.json(#"{"things": [{"id": "a", "status": 1}], "links": [{"href": "http://h/n", "rel": "next"}]}"#),
            endpoint: "http://h")
        #expect(page.nextURL == "http://h/n")
    }

    @Test func multiMetricEntriesGiveOneSamplePerItem() throws {
        let extractor = DynamicSampleExtractor(definition: try EndpointTestSupport.definition("""
            - name: "dynamic.api.{category}"
              sample_type: cumulative
              unit: request
              endpoint_type: compute
              url_path: stats
              value_attribute: "[categories].total"
              skip_sample_values: [internal, -1]
              metadata_fields: [host]
            """))
        let page = extractor.extract(try Self.json(#"""
            {"stats": [{"id": "api-1", "host": "h1", "categories": [
              {"category": "get", "total": 10}, {"category": "post", "total": 2},
              {"category": "internal", "total": 5}, {"category": "put", "total": -1}, {"total": 3}]},
             {"id": "api-2", "host": "h2", "categories": "none"}]}
            """#), endpoint: "http://x")
        #expect(page.samples.map(\.name) == ["dynamic.api.get", "dynamic.api.post"])
        #expect(page.samples.map(\.volume) == [.int(10), .int(2)])
        #expect(page.samples.allSatisfy { $0.resourceID == "api-1" && $0.resourceMetadata["host"] == "h1" && $0.type == .cumulative })
        #expect(page.skipped == 2)
        #expect(page.problems.count == 2)
    }

    @Test func textHandlerMakesOneEntry() throws {
        let extractor = try Self.extractor("  response_handlers: [json, text]\n  resource_id_attribute: out\n", valueAttribute: "out")
        let json = try extractor.decode(Array(#"[{"out": 42}]"#.utf8))
        #expect(extractor.extract(json, endpoint: "http://x").samples.first?.volume == .int(42))
        let notJSON = try extractor.decode(Array("up 3 days".utf8))
        #expect(notJSON == .array([.object([(key: "out", value: .string("up 3 days"))])]))
        let textOnly = try Self.extractor("  response_handlers: [text]\n  resource_id_attribute: out\n", valueAttribute: "out")
        let text = try textOnly.decode(Array("17.5".utf8))
        #expect(text == .array([.object([(key: "out", value: .string("17.5"))])]))
        #expect(textOnly.extract(text, endpoint: "http://x").samples.first?.volume == .double(17.5))
        let jsonOnly = try Self.extractor()
        #expect(throws: EndpointError.self) { try jsonOnly.decode(Array("<html>".utf8)) }
    }
}

@Suite struct DynamicJSONAndURLTests {
    @Test(arguments: [
        ("http://a/b/c/", "d", "http://a/b/c/d"),
        ("http://a/b/c", "d", "http://a/b/d"),
        ("http://a/b/c/", "/d", "http://a/d"),
        ("http://a/b/c/", "../d", "http://a/b/d"),
        ("http://a/b/c/", "./d/./e", "http://a/b/c/d/e"),
        ("http://a/b/c/", "?x=1", "http://a/b/c/?x=1"),
        ("http://a/b/", "http://x/y", "http://x/y"),
        ("https://a/b/", "//x/y", "https://x/y"),
        ("http://a:8774/v2.1/", "servers/detail?all_tenants=1", "http://a:8774/v2.1/servers/detail?all_tenants=1"),
        ("http://a", "b", "http://a/b"),
    ])
    func joinsLikePythonURLJoin(base: String, reference: String, expected: String) {
        #expect(URLReference.join(base, reference) == expected)
    }

    @Test func parsesJSONKeepingKeyOrderAndNumberText() throws {
        let node = try JSONNodeParser.parse(#" {"b": [1, -2.5e3, true, null], "a": "\u00e9\n\ud83d\ude00", "c": {}} "#)
        guard case .object(let members) = node else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(node["b"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))
        #expect(node["a"] == .string("é\n😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\u{01}\"", "tru", "[1] x", "\"\\ud800\"", "1."])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONNodeParseError.self) { try JSONNodeParser.parse(text) }
    }
}

@Suite struct DynamicValueOperationTests {
    static func evaluate(_ path: String, _ entry: String) throws -> JSONNode? {
        try AttributePath(path).evaluate(in: JSONNodeParser.parse(entry))
    }

    @Test(arguments: [
        ("size | value * 1024", #"{"size": 3}"#, JSONNode.number("3072")),
        ("size | value / 2", #"{"size": 3}"#, .number("1.5")),
        ("size | value // 2", #"{"size": -3}"#, .number("-2")),
        ("size | value % 4", #"{"size": -3}"#, .number("1")),
        ("size | value * 1.5 | int(value)", #"{"size": 3}"#, .number("4")),
        ("size | round(value / 3, 2)", #"{"size": 2}"#, .number("0.67")),
        ("name | len(value)", #"{"name": "héllo"}"#, .number("5")),
        ("name | value.upper()", #"{"name": "abc"}"#, .string("ABC")),
        ("name | value.strip().lower()", #"{"name": "  AbC "}"#, .string("abc")),
        ("status | 1 if value == 'ACTIVE' else 0", #"{"status": "ACTIVE"}"#, .number("1")),
        ("status | 1 if value == 'ACTIVE' else 0", #"{"status": "ERROR"}"#, .number("0")),
        (". | value['a'] + value['b']", #"{"a": 1, "b": 2}"#, .number("3")),
        ("items | len(value) > 1 and value[-1]['x']", #"{"items": [{"x": 7}, {"x": 9}]}"#, .number("9")),
        ("size | float(value)", #"{"size": "2.5"}"#, .number("2.5")),
        ("size | str(value)", #"{"size": 12}"#, .string("12")),
        ("size | -value + abs(-2)", #"{"size": 5}"#, .number("-3")),
        ("items | max(value)", #"{"items": [3, 9, 4]}"#, .number("9")),
        ("flag | not value", #"{"flag": false}"#, .bool(true)),
    ])
    func evaluatesPythonSubset(path: String, entry: String, expected: JSONNode) throws {
        let result = try Self.evaluate(path, entry)
        #expect(result.map { PythonEquality.equal($0, expected) && $0.kind == expected.kind } == true, "\(String(describing: result))")
    }

    @Test(arguments: [
        ("size | value / 0", #"{"size": 3}"#),
        ("name | value * 2", #"{"name": "a"}"#),
        ("items | value[5]", #"{"items": [1]}"#),
        (". | value['missing']", #"{"a": 1}"#),
        ("name | int(value)", #"{"name": "abc"}"#),
    ])
    func evaluationErrorsAreReasonsNotCrashes(path: String, entry: String) {
        #expect(throws: AttributePathError.self) { try Self.evaluate(path, entry) }
    }

    @Test(arguments: ["a | value +", "a | (value", "a | value.split()", "a | open(value)", "a | value; 1", "| value", "a | 1"])
    func unsupportedOperationsAreRefused(path: String) {
        #expect(throws: AttributePathError.self) { try AttributePath(path) }
    }

    @Test func operationsApplyBeforeSkipAndMapping() throws {
        let extractor = try DynamicSampleExtractorTests.extractor("""
              skip_sample_values: [0]
            """, valueAttribute: "size | value * 1024")
        let page = extractor.extract(
            try JSONNodeParser.parse(#"[{"id": "a", "size": 2}, {"id": "b", "size": 0}, {"id": "c", "size": "x"}]"#),
            endpoint: "http://x")
        #expect(page.samples.map(\.volume) == [.int(2048)])
        #expect(page.skipped == 1)
        #expect(page.problems.first?.contains("'*' needs numbers") == true)
    }
}
