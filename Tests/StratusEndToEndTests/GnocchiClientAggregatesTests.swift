import Foundation
import StratusTesting
import Testing

/// gnocchiclient's `aggregates` and `measures aggregation` commands against a real `stratus all-in-one`.
@Suite("gnocchiclient aggregates against stratus all-in-one", .serialized)
struct GnocchiClientAggregatesTests {
    typealias Client = GnocchiClientTests

    static func rows(_ text: String) throws -> [[String: Any]] {
        try #require(try Client.json(text) as? [[String: Any]])
    }

    @Test(.enabled(if: GnocchiClientTests.client != nil, "gnocchiclient is not installed: run scripts/install-test-clients"),
          .timeLimit(.minutes(3)))
    func aggregatesAndMeasuresAggregation() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-aggregates") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                _ = try await Client.gnocchi(url, ["archive-policy", "create", "-d", "granularity:1m,points:1440", "-b", "0", "agg"])

                // Two metrics by id: a = 1, 3, 5 at 00:00..00:02; b = 3, 5 at 00:00..00:01 and 7 at 00:03.
                var ids = [String]()
                for values in [[(0, 1.0), (1, 3.0), (2, 5.0)], [(0, 3.0), (1, 5.0), (3, 7.0)]] {
                    let created = try await #require(try await Client.json(Client.gnocchi(url, ["metric", "create", "-a", "agg", "-f", "json"])) as? [String: Any])
                    let id = try #require(created["id"] as? String)
                    _ = try await Client.gnocchi(url, ["measures", "add"] + values.flatMap { ["-m", "2024-01-01T00:0\($0.0):00@\($0.1)"] } + [id])
                    _ = try await Client.gnocchi(url, ["measures", "show", "--refresh", id, "-f", "json"])
                    ids.append(id)
                }

                let mean = try await Self.rows(Client.gnocchi(url, [
                    "aggregates", "(aggregate mean (metric (\(ids[0]) mean) (\(ids[1]) mean)))", "-f", "json"]))
                #expect(mean.map { $0["value"] as? Double } == [2, 4, 5, 7])
                #expect(mean.first?["name"] as? String == "aggregated")
                #expect(mean.first?["granularity"] as? Double == 60)

                let filled = try await Self.rows(Client.gnocchi(url, [
                    "aggregates", "--fill", "0", "(aggregate sum (metric (\(ids[0]) mean) (\(ids[1]) mean)))", "-f", "json"]))
                #expect(filled.map { $0["value"] as? Double } == [4, 8, 5, 7])

                let perMetric = try await Self.rows(Client.gnocchi(url, [
                    "aggregates", "(* (metric \(ids[0]) mean) 2)", "-f", "json"]))
                #expect(perMetric.map { $0["value"] as? Double } == [2, 6, 10])
                #expect(perMetric.first?["name"] as? String == "\(ids[0])/mean")

                // The deprecated route: without fill, cut to where both metrics have points.
                let deprecated = try await Self.rows(Client.gnocchi(url, [
                    "measures", "aggregation", "-m", ids[0], ids[1], "--granularity", "60", "--utc", "-f", "json"]))
                #expect(deprecated.map { $0["value"] as? Double } == [2, 4])
                let maxima = try await Self.rows(Client.gnocchi(url, [
                    "measures", "aggregation", "-m", ids[0], ids[1], "--reaggregation", "max", "--fill", "0", "--utc", "-f", "json"]))
                #expect(maxima.map { $0["value"] as? Double } == [3, 5, 5, 7])

                // By resource: two generic resources of project p1 with a cpu.util metric each.
                for (index, resource) in ["2c6f0e8a-0000-4000-8000-000000000001", "2c6f0e8a-0000-4000-8000-000000000002"].enumerated() {
                    _ = try await Client.gnocchi(url, ["resource", "create", "--type", "generic", "-a", "project_id:p1", "-n", "cpu.util:agg", resource])
                    _ = try await Client.gnocchi(url, ["measures", "add", "-r", resource, "-m", "2024-01-01T00:00:00@\(10 * (index + 1))", "cpu.util"])
                    _ = try await Client.gnocchi(url, ["measures", "show", "--refresh", "-r", resource, "cpu.util", "-f", "json"])
                }
                let grouped = try await Self.rows(Client.gnocchi(url, [
                    "aggregates", "--groupby", "project_id", "(aggregate sum (metric cpu.util mean))", "project_id=p1", "-f", "json"]))
                #expect(grouped.map { $0["value"] as? Double } == [30])
                #expect(grouped.first?["group"] as? String == "project_id: p1")
                let byName = try await Self.rows(Client.gnocchi(url, [
                    "measures", "aggregation", "-m", "cpu.util", "--query", "project_id=p1", "--resource-type", "generic",
                    "--aggregation", "mean", "--reaggregation", "sum", "--utc", "-f", "json"]))
                #expect(byName.map { $0["value"] as? Double } == [30])

                await #expect(throws: GnocchiClientTests.CommandFailure.self) {
                    try await Client.gnocchi(url, ["aggregates", "(aggregate mean (metric \(ids[0]) mean)"])
                }

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0))
            }
        }
    }
}
