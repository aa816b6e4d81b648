import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StratusTesting
import Testing

/// gnocchiclient's `resource search` (which sends its query as `filter=`) against a real `stratus all-in-one`,
/// and `POST /v1/search/metric` over HTTP on the same server.
@Suite("gnocchiclient resource search against stratus all-in-one", .serialized)
struct GnocchiClientSearchTests {
    static func names(_ output: String) throws -> Set<String> {
        let rows = try #require(try GnocchiClientTests.json(output) as? [[String: Any]])
        return Set(rows.compactMap { $0["original_resource_id"] as? String })
    }

    @Test(.enabled(if: GnocchiClientTests.client != nil, "gnocchiclient is not installed: run scripts/install-test-clients"),
          .timeLimit(.minutes(3)))
    func resourceSearchWithTheFilterGrammar() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-search") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                func gnocchi(_ arguments: [String]) async throws -> String { try await GnocchiClientTests.gnocchi(url, arguments) }

                _ = try await gnocchi(["resource-type", "create", "-a", "host:string:false", "-a", "vcpus:number:false", "e2e_vm"])
                for (id, host, vcpus) in [("vm-1", "compute-1", "2"), ("vm-2", "compute-2", "4"), ("vm-3", "compute-1", "8")] {
                    _ = try await gnocchi(["resource", "create", "--type", "e2e_vm", "-a", "host:\(host)", "-a", "vcpus:\(vcpus)",
                                     "-n", "cpu:low", id, "-f", "json"])
                }
                let search = ["resource", "search", "--type", "e2e_vm", "-f", "json"]
                #expect(try await Self.names(gnocchi(search + ["host = 'compute-1'"])) == ["vm-1", "vm-3"])
                #expect(try await Self.names(gnocchi(search + ["host = 'compute-1' and vcpus > 4"])) == ["vm-3"])
                #expect(try await Self.names(gnocchi(search + ["not (host = 'compute-1') or vcpus in [2]"])) == ["vm-1", "vm-2"])
                #expect(try await Self.names(gnocchi(search + ["host like 'compute-%' and id != 'vm-2'"])) == ["vm-1", "vm-3"])
                #expect(try await Self.names(gnocchi(["resource", "search", "-f", "json", "original_resource_id = 'vm-2'"])) == ["vm-2"])
                #expect(try await Self.names(gnocchi(search + ["--limit", "1", "--sort", "vcpus:desc", "vcpus >= 0"])) == ["vm-3"])
                do {
                    _ = try await gnocchi(search + ["host = "])
                    Issue.record("an invalid filter was accepted")
                } catch let failure as GnocchiClientTests.CommandFailure {
                    #expect(failure.description.contains("Invalid filter: Expected a value"))
                }
                do {
                    _ = try await gnocchi(search + ["color = 'red'"])
                    Issue.record("an unknown attribute was accepted")
                } catch let failure as GnocchiClientTests.CommandFailure {
                    #expect(failure.description.contains("Resource type e2e_vm has no color attribute"))
                }

                // The metric value search, over HTTP (gnocchiclient has no command for it).
                let shown = try await #require(try await GnocchiClientTests.json(gnocchi(["resource", "show", "--type", "e2e_vm", "vm-1", "-f", "json"])) as? [String: Any])
                let metric = try #require((shown["metrics"] as? [String: String])?["cpu"])
                _ = try await gnocchi(["measures", "add", "-m", "2024-01-01T00:00:00@10", "-m", "2024-01-01T00:05:00@60",
                                 "-m", "2024-01-01T00:10:00@30", metric])
                _ = try await gnocchi(["measures", "show", "--refresh", metric, "-f", "json"])
                var request = URLRequest(url: try #require(URL(string: url + "/v1/search/metric?metric_id=" + metric)))
                request.httpMethod = "POST"
                request.httpBody = Data(#"{"and": [{">": 20}, {"<": [{"*": 2}, 100]}]}"#.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.setValue("Basic " + Data("admin:".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
                let (body, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
                #expect(String(decoding: body, as: UTF8.self) == "{\"\(metric)\": [[\"2024-01-01T00:10:00+00:00\", 300.0, 30.0]]}")
            }
        }
    }
}
