import Foundation
import NIOCore
import StratusCore
import Testing
@testable import StratusPipeline

@Suite("gnocchi_resources.yaml")
struct GnocchiResourcesDefinitionTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func embeddedDefinitionIsTheShippedFile() throws {
        let shipped = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("etc/gnocchi_resources.yaml"), encoding: .utf8)
        #expect(GnocchiResourcesDefinition.bundledText == shipped)
    }

    @Test func bundledDefinitionHasCeilometersTypesPoliciesAndMappings() throws {
        let definition = GnocchiResourcesDefinition.bundled
        #expect(definition.archivePolicyDefault == "ceilometer-low")
        #expect(definition.archivePolicies.map(\.name) == ["ceilometer-low", "ceilometer-low-rate", "ceilometer-high", "ceilometer-high-rate"])
        #expect(definition.resources.count == 22)
        let map = definition.metricMap(override: nil)
        #expect(map["cpu"]?.archivePolicy == "ceilometer-low-rate")
        #expect(map["memory.usage"]?.archivePolicy == "ceilometer-low")
        #expect(map["network.incoming.bytes"]?.archivePolicy == "ceilometer-low-rate")
        #expect(map["cpu_util"].map { definition.resources[$0.resource].resourceType } == "instance")
        #expect(map["disk.device.read.bytes.rate"].map { definition.resources[$0.resource].resourceType } == "instance_disk")
        #expect(map["network.outgoing.packets.rate"].map { definition.resources[$0.resource].resourceType } == "instance_network_interface")
        #expect(map["hardware.memory.total"].map { definition.resources[$0.resource].resourceType } == "host")
        #expect(map["hardware.disk.size.used"].map { definition.resources[$0.resource].resourceType } == "host_disk")
        #expect(map["hardware.network.incoming.bytes"].map { definition.resources[$0.resource].resourceType } == "host_network_interface")
        #expect(map["hardware.ipmi.power"].map { definition.resources[$0.resource].resourceType } == "ipmi_sensor")
        #expect(definition.metricMap(override: "low")["cpu"]?.archivePolicy == "low")
        let instance = try #require(definition.resources.first { $0.resourceType == "instance" })
        #expect(instance.attributes.map(\.name) == [
            "created_at", "deleted_at", "display_name", "flavor_id", "flavor_name", "host", "image_ref", "launched_at", "server_group",
        ])
        for resource in definition.resources {
            #expect(GnocchiResourceTypes.attributes[resource.resourceType] != nil, "no schema for \(resource.resourceType)")
        }
    }

    @Test func attributePathsTakeTheFirstAlternativeThatIsSet() throws {
        let flavor = try AttributePath("resource_metadata.(instance_flavor_id|(flavor.id)|flavor_id)")
        #expect(flavor.alternatives == [
            ["resource_metadata", "instance_flavor_id"], ["resource_metadata", "flavor", "id"], ["resource_metadata", "flavor_id"],
        ])
        var sample = Sample.make("cpu", 1, metadata: ["flavor": ["id": "7"], "flavor_id": "9"])
        #expect(flavor.value(in: sample) == "7")
        sample.resourceMetadata["instance_flavor_id"] = "5"
        #expect(flavor.value(in: sample) == "5")
        sample.resourceMetadata = ["flavor_id": "9", "instance_flavor_id": nil]
        #expect(flavor.value(in: sample) == "9")
        #expect(try AttributePath("resource_metadata.user_metadata.server_group").value(in: sample) == nil)
        #expect(try AttributePath("project_id").value(in: sample) == "p1")
        #expect(try AttributePath("a.(b|c).d").alternatives == [["a", "b", "d"], ["a", "c", "d"]])
        for bad in ["", "a.", "a.(b|c", "a.b)", "(|)", "a..b", String(repeating: "(", count: 100_000)] {
            #expect(throws: GnocchiDefinitionError.self, "\(bad)") { try AttributePath(bad) }
        }
    }

    @Test func invalidDefinitionsReportFileLineAndReason() {
        let yaml = """
        archive_policy_default: ceilometer-low
        resources:
          - resource_type: instance
            metrics:
              cpu:
                archive_policy_name: x
                colour: red
            attributes:
              host: resource_metadata.(a|b
          - metrics: [m]
          - resource_type: volume
            metrics: 3
        """
        do {
            _ = try GnocchiResourcesDefinition.parse(yaml: yaml, file: "g.yaml")
            Issue.record("accepted an invalid file")
        } catch {
            #expect(error.problems.map(\.line) == [7, 9, 10, 12])
            #expect(error.problems.allSatisfy { $0.file == "g.yaml" })
            #expect(error.description.contains("g.yaml:7: resource type 'instance': metric 'cpu': unknown key 'colour'"))
            #expect(error.description.contains("Required field resource_type not specified"))
        }
        #expect(throws: GnocchiResourcesError.self) { try GnocchiResourcesDefinition.parse(yaml: "resources: [", file: "g.yaml") }
        #expect(throws: GnocchiResourcesError.self) { try GnocchiResourcesDefinition.parse(yaml: "archive_policies: []", file: "g.yaml") }
    }

    @Test func customFileAndOptionsAreReadWhenThePublisherIsBuilt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-gnocchi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("resources.yaml").path
        try "resources:\n  - resource_type: host\n    metrics: [hardware.cpu.util]\n    archive_policy: high\n    attributes:\n      host_name: {fields: resource_metadata.resource_url}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let publisher = try GnocchiPublisher(
            url: PublisherURL("gnocchi://?resources_definition_file=\(path)&archive_policy=low&timeout=2&enable_filter_project=false"),
            context: Fixture.publisherContext)
        #expect(publisher.definition.metricMap(override: "low")["hardware.cpu.util"]?.archivePolicy == "high")
        #expect(publisher.options.filterProject == nil)
        #expect(publisher.options.timeout == 2)
        let defaults = try GnocchiPublisher(url: PublisherURL("gnocchi"), context: Fixture.publisherContext)
        #expect(defaults.options.filterProject == "service")
        #expect(defaults.options.timeout == 6.05)
        #expect(defaults.options.maxQueueSamples == 500_000)
        #expect(defaults.definition.resources.count == 22)
        for bad in [
            "gnocchi://host:8041", "gnocchi://?timeout=soon", "gnocchi://?max_queue_samples=0", "gnocchi://?colour=red",
            "gnocchi://?resources_definition_file=/nonexistent/\(UUID().uuidString).yaml",
        ] {
            #expect(throws: PublisherConfigurationError.self, "\(bad)") { try GnocchiPublisher(url: PublisherURL(bad), context: Fixture.publisherContext) }
        }
    }

    @Test func batchBodyIsGroupedByResourceAndMetric() throws {
        var chunk = GnocchiChunk()
        let sample = Sample.make("cpu", 1, resource: "a\"b", metadata: ["display_name": "x"])
        let attributes = [(name: "display_name", path: try AttributePath("resource_metadata.display_name"))]
        chunk.add(resource: "a\"b", definition: 0, userID: "u", metric: "cpu", archivePolicy: "low", unit: "ns",
                  timestamp: "2026-11-25T10:00:00", value: 1.5, sample: sample, attributes: attributes, attributesReadOnlyMetadata: GnocchiResourcesDefinition.readOnlyMetadata(attributes))
        chunk.add(resource: "a\"b", definition: 0, userID: "u", metric: "cpu", archivePolicy: "low", unit: "ns",
                  timestamp: "2026-11-25T10:01:00", value: 2, sample: sample, attributes: attributes, attributesReadOnlyMetadata: GnocchiResourcesDefinition.readOnlyMetadata(attributes))
        chunk.add(resource: "r2", definition: 0, userID: nil, metric: "m\n", archivePolicy: "low", unit: "",
                  timestamp: "2026-11-25T10:01:00", value: 1e-05, sample: sample, attributes: [], attributesReadOnlyMetadata: true)
        let text = String(buffer: chunk.encode())
        #expect(text == #"{"a\"b":{"cpu":{"archive_policy_name":"low","unit":"ns","measures":[{"timestamp":"2026-11-25T10:00:00","value":1.5},"#
            + #"{"timestamp":"2026-11-25T10:01:00","value":2.0}]}},"r2":{"m\n":{"archive_policy_name":"low","unit":"","measures":"#
            + #"[{"timestamp":"2026-11-25T10:01:00","value":1e-05}]}}}"#)
        #expect(throws: Never.self) { try TelemetryJSON.decode(text) }
        #expect(chunk.resource("a\"b")?.extra == ["project_id": "p1", "display_name": "x"])
        #expect(chunk.remove(resource: "a\"b") == 2)
        #expect(chunk.samples == 1)

        // Control characters, backslashes and non-ASCII text; integral, negative and large numbers.
        var escapes = GnocchiChunk()
        for (value, time) in [(-3.0, "t\u{1}"), (1e20, "t\\ü"), (-0.0, "t\r\t")] {
            escapes.add(resource: "r", definition: 0, userID: nil, metric: "m", archivePolicy: "low", unit: "",
                        timestamp: time, value: value, sample: sample, attributes: [], attributesReadOnlyMetadata: true)
        }
        let escaped = String(buffer: escapes.encode())
        #expect(escaped == #"{"r":{"m":{"archive_policy_name":"low","unit":"","measures":[{"timestamp":"t\u0001","value":-3.0},"#
            + #"{"timestamp":"t\\ü","value":1e+20},{"timestamp":"t\r\t","value":-0.0}]}}}"#)
    }

    @Test func resourceAttributesAreTheFoldOfItsSamplesLaterOnesWinning() throws {
        var chunk = GnocchiChunk()
        let attributes = [
            (name: "display_name", path: try AttributePath("resource_metadata.display_name")),
            (name: "host", path: try AttributePath("resource_metadata.host")),
        ]
        func add(_ metadata: [String: TelemetryValue], project: String = "p1", attributes: [(name: String, path: AttributePath)]) {
            let sample = Sample.make("cpu", 1, resource: "r", metadata: metadata, project: project)
            chunk.add(resource: "r", definition: 0, userID: "u", metric: "cpu", archivePolicy: "low", unit: "ns",
                      timestamp: "2026-11-25T10:00:00", value: 1, sample: sample, attributes: attributes, attributesReadOnlyMetadata: GnocchiResourcesDefinition.readOnlyMetadata(attributes))
        }
        add(["display_name": "a", "host": "h1"], attributes: attributes)
        add(["display_name": "a", "host": "h1"], attributes: attributes)  // same inputs: not kept again
        #expect(chunk.resource("r")?.attributeSources.count == 1)
        add(["display_name": "b"], attributes: attributes)  // host missing: the earlier value stays
        #expect(chunk.resource("r")?.extra == ["project_id": "p1", "display_name": "b", "host": "h1"])
        add(["display_name": "b"], project: "p2", attributes: attributes)  // another project: kept
        #expect(chunk.resource("r")?.extra == ["project_id": "p2", "display_name": "b", "host": "h1"])
        #expect(chunk.resource("r")?.attributeSources.count == 3)
        #expect(chunk.samples == 4)
        #expect(chunk.measureCounts(of: "r") == [4])

        // An attribute read from another field than resource_metadata: every sample is kept.
        var other = GnocchiChunk()
        let byID = [(name: "last", path: try AttributePath("id"))]
        for id in ["s1", "s2"] {
            other.add(resource: "r", definition: 0, userID: nil, metric: "m", archivePolicy: "low", unit: "",
                      timestamp: "2026-11-25T10:00:00", value: 1, sample: Sample.make("m", 1, resource: "r", id: id), attributes: byID, attributesReadOnlyMetadata: GnocchiResourcesDefinition.readOnlyMetadata(byID))
        }
        #expect(other.resource("r")?.extra["last"] == "s2")
    }

    @Test func attributeDigestIgnoresOrderAndSeesChanges() {
        let a: [String: TelemetryValue] = ["project_id": "p1", "flavor": ["id": "2", "ram": 2048], "tags": ["x", "y"], "n": 1, "f": 1.5, "z": nil]
        var b: [String: TelemetryValue] = [:]
        for key in a.keys.sorted().reversed() { b[key] = a[key] }
        #expect(AttributeDigest.dictionary(a) == AttributeDigest.dictionary(b))
        var changes: [[String: TelemetryValue]] = []
        for (key, value) in [("project_id", TelemetryValue.string("p2")), ("flavor", ["id": "2", "ram": 4096]), ("tags", ["y", "x"]),
                             ("n", .double(1)), ("f", .string("1.5")), ("z", .bool(false)), ("extra", .null)] {
            var changed = a
            changed[key] = value
            changes.append(changed)
        }
        var removed = a
        removed["n"] = nil
        changes.append(removed)
        let digests = Set(changes.map(AttributeDigest.dictionary))
        #expect(digests.count == changes.count)
        #expect(!digests.contains(AttributeDigest.dictionary(a)))
    }

    @Test func attributeCacheIsBounded() {
        var cache = GenerationCache<UInt64>(capacity: 2)
        for (index, key) in ["a", "b", "c", "d", "e"].enumerated() { cache[key] = UInt64(index) }
        #expect(cache.count <= 4)
        let latest = cache["e"], evicted = cache["a"]
        #expect(latest == 4)
        #expect(evicted == nil)
    }
}
