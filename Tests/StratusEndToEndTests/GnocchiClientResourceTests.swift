import Foundation
import StratusIndex
import StratusTesting
import Testing

/// `stratus upgrade` creates `generic`, and Ceilometer's types with `--create-legacy-resource-types`.
@Suite("stratus upgrade resource types")
struct UpgradeResourceTypesTests {
    @Test(.timeLimit(.minutes(2)))
    func legacyResourceTypesOnlyOnRequest() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-upgrade-types") { directory in
            let plain = try await StratusProcess.run(["upgrade", "--data-dir", directory.path])
            #expect(plain.exit == .exited(0), "\(plain.output)")
            let indexer = try makeIndexer(url: "sqlite://\(directory.path)/index.sqlite")
            #expect(try await indexer.resourceTypes().map(\.name) == ["generic"])
            try await indexer.close()

            let legacy = try await StratusProcess.run(["upgrade", "--data-dir", directory.path, "--create-legacy-resource-types"])
            #expect(legacy.exit == .exited(0), "\(legacy.output)")
            let again = try await StratusProcess.run(["upgrade", "--data-dir", directory.path, "--create-legacy-resource-types"])
            #expect(again.exit == .exited(0), "\(again.output)")
            let reopened = try makeIndexer(url: "sqlite://\(directory.path)/index.sqlite")
            let names = try await reopened.resourceTypes().map(\.name)
            #expect(Set(names) == Set(LegacyResourceTypes.names + ["generic"]))
            let instance = try #require(try await reopened.resourceType(named: "instance"))
            #expect(instance.attribute(named: "flavor_name")?.required == true)
            #expect(instance.attribute(named: "host")?.kind == .string(minLength: 0, maxLength: 255))
            try await reopened.close()
        }
    }
}

/// gnocchiclient's `resource-type` and `resource` commands against a real `stratus all-in-one`.
@Suite("gnocchiclient resources against stratus all-in-one", .serialized)
struct GnocchiClientResourceTests {
    typealias CLI = GnocchiClientTests

    static func object(_ url: String, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await CLI.gnocchi(url, arguments + ["-f", "json"])
        guard let object = try CLI.json(output) as? [String: Any] else {
            throw CLI.CommandFailure(description: "not a JSON object: \(output)")
        }
        return object
    }

    static func list(_ url: String, _ arguments: [String]) async throws -> [[String: Any]] {
        let output = try await CLI.gnocchi(url, arguments + ["-f", "json"])
        guard let list = try CLI.json(output) as? [[String: Any]] else {
            throw CLI.CommandFailure(description: "not a JSON list: \(output)")
        }
        return list
    }

    @Test(.enabled(if: CLI.client != nil, "gnocchiclient is not installed: run scripts/install-test-clients"), .timeLimit(.minutes(3)))
    func resourceTypesAndResources() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-resources") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")

                let created = try await Self.object(url, [
                    "resource-type", "create", "-a", "host:string:true:max_length=255", "-a", "flavor:string:false",
                    "e2e_instance",
                ])
                #expect(created["name"] as? String == "e2e_instance")
                #expect(created["state"] as? String == "active")
                let updated = try await Self.object(url, [
                    "resource-type", "update", "-a", "vcpus:number:false:min=1", "-r", "flavor", "e2e_instance",
                ])
                // gnocchiclient flattens the attributes into `attributes/<name>` keys.
                #expect(updated["attributes/vcpus"] as? String == "max=None, min=1, required=False, type=number")
                #expect(updated["attributes/flavor"] == nil)
                let types = try await Self.list(url, ["resource-type", "list"])
                #expect(types.compactMap { $0["name"] as? String }.contains("e2e_instance"))

                let resource = try await Self.object(url, [
                    "resource", "create", "--type", "e2e_instance", "-a", "host:compute-1", "-a", "vcpus:2",
                    "-n", "cpu:low", "vm-1",
                ])
                #expect(resource["original_resource_id"] as? String == "vm-1")
                #expect(resource["host"] as? String == "compute-1")
                let shown = try await Self.object(url, ["resource", "show", "--type", "e2e_instance", "vm-1"])
                #expect(shown["id"] as? String == resource["id"] as? String)
                _ = try await CLI.gnocchi(url, ["resource", "update", "--type", "e2e_instance", "-a", "host:compute-2", "vm-1"])
                let history = try await Self.list(url, ["resource", "history", "--type", "e2e_instance", "vm-1"])
                #expect(history.compactMap { $0["host"] as? String } == ["compute-1", "compute-2"])
                let listed = try await Self.list(url, ["resource", "list", "--type", "e2e_instance"])
                #expect(listed.count == 1)

                _ = try await CLI.gnocchi(url, ["measures", "add", "-r", "vm-1", "-m", "2024-01-01T00:00:00@5", "cpu"])
                let measures = try await Self.list(url, ["measures", "show", "--refresh", "-r", "vm-1", "cpu"])
                #expect(measures.last?["value"] as? Double == 5)

                await #expect(throws: CLI.CommandFailure.self) { try await CLI.gnocchi(url, ["resource-type", "delete", "e2e_instance"]) }
                _ = try await CLI.gnocchi(url, ["resource", "delete", "vm-1"])
                _ = try await CLI.gnocchi(url, ["resource-type", "delete", "e2e_instance"])
                await #expect(throws: CLI.CommandFailure.self) { try await CLI.gnocchi(url, ["resource-type", "show", "e2e_instance"]) }

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0))
            }
        }
    }
}
