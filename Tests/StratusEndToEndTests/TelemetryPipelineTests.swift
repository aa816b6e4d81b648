import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StratusTesting
import Testing

/// The whole collection chain on loopback, as an operator deploys it: `stratus polling` on a libvirt
/// test-driver node → `notifier://` → `stratus notification` running the shipped pipeline.yaml
/// (rate_of_change for cpu_util) → `gnocchi://` → `stratus all-in-one` (API + metricd).
@Suite("polling → notification → gnocchi", .serialized)
struct TelemetryPipelineTests {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let node = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StratusComputeTests/Fixtures/node.xml").path
    static let shippedPipeline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipeline.yaml").path
    static let instance = "6f1b2e3c-0a4d-4b5e-8f60-718293a4b5c6"

    /// GET `path` as admin; the decoded JSON.
    static func get(_ endpoint: String, _ path: String) async throws -> Any {
        var request = URLRequest(url: URL(string: endpoint + path)!)
        request.setValue("Basic " + Data("admin:".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Failure(description: "GET \(path): \(status) \(String(decoding: data, as: UTF8.self))") }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The first `…http://HOST:PORT/…` after `marker` in a process's output.
    static func port(after marker: String, in process: StratusProcess, timeout: Duration = .seconds(60)) async throws -> Int? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            let output = process.standardError
            if let range = output.range(of: marker + #" http://[0-9.]+:([0-9]+)/"#, options: .regularExpression) {
                let text = output[range].dropLast()
                return text.split(separator: ":").last.flatMap { Int($0) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Polls `probe` every 500 ms until it returns a value, or fails after `timeout`.
    static func eventually<T>(_ what: String, timeout: Duration = .seconds(90), _ probe: () async throws -> T?) async throws -> T {
        try await Eventually.value(what, timeout: timeout, every: .milliseconds(500), probe)
    }

    @Test(.timeLimit(.minutes(4)))
    func instancesDisksAndInterfacesArriveWithTheirAttributesAndCpuUtilFollowsTheCpuCounter() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-chain") { directory in
            let all = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                       "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(all) { api in
                let endpoint = try #require(try await api.apiEndpoint(), "all-in-one did not start:\n\(api.standardError)")
                // One-second archive policy for every metric, so the test sees raw-ish points quickly.
                let pipeline = try String(contentsOfFile: Self.shippedPipeline, encoding: .utf8)
                    .replacingOccurrences(of: "- gnocchi://", with: "- gnocchi://?archive_policy=e2e-1s")
                try pipeline.write(toFile: directory.path + "/pipeline.yaml", atomically: true, encoding: .utf8)
                try """
                    sources:
                      - name: instances
                        interval: 2
                        meters: ["cpu", "vcpus", "memory", "disk.device.read.bytes", "network.incoming.bytes"]
                    """.write(toFile: directory.path + "/polling.yaml", atomically: true, encoding: .utf8)
                try """
                    compute:
                      libvirt_uri: "test://\(Self.node)"
                    polling:
                      cfg_file: \(directory.path)/polling.yaml
                      publishers: ["notifier://127.0.0.1:1"]
                      spool_dir: \(directory.path)/spool
                      metrics_port: -1
                    notification:
                      pipeline_cfg_file: \(directory.path)/pipeline.yaml
                      host: 127.0.0.1
                    publisher:
                      gnocchi_url: \(endpoint)
                      telemetry_secret: e2e-secret
                    """.write(toFile: directory.path + "/stratus.yaml", atomically: true, encoding: .utf8)
                let create = try await ClientCommandTests.stratus(endpoint, [
                    "archive-policy", "create", "e2e-1s", "--definition", "granularity:1s,timespan:1h",
                    "--aggregation-method", "mean", "--aggregation-method", "last"])
                try #require(create.status == 0, "\(create)")

                let notification = ["notification", "--config-file", directory.path + "/stratus.yaml", "--port", "0"]
                try await StratusProcess.with(notification) { agent in
                    let port = try #require(
                        try await Self.port(after: "accepting samples at", in: agent), "notification did not start:\n\(agent.standardError)")
                    let polling = ["polling", "--config-file", directory.path + "/stratus.yaml", "--polling-namespaces", "compute",
                                   "--set", "polling.publishers=notifier://127.0.0.1:\(port)"]
                    try await StratusProcess.with(polling) { poller in
                        let instance = try await Self.eventually("the instance resource") { () -> [String: Any]? in
                            try await Self.get(endpoint, "/v1/resource/instance/\(Self.instance)") as? [String: Any]
                        }
                        #expect(instance["display_name"] as? String == "web-1")
                        #expect(instance["flavor_name"] as? String == "m1.small")
                        #expect(instance["flavor_id"] as? String == "2")
                        #expect((instance["host"] as? String)?.isEmpty == false)
                        #expect(instance["project_id"] as? String == "9a8b7c6d5e4f40312f1e0d9c8b7a6f5e")

                        let disks = try await Self.eventually("instance_disk resources") { () -> [[String: Any]]? in
                            let list = try await Self.get(endpoint, "/v1/resource/instance_disk") as? [[String: Any]] ?? []
                            return list.isEmpty ? nil : list
                        }
                        #expect(disks.contains { $0["instance_id"] as? String == Self.instance && $0["name"] as? String == "vda" })
                        let interfaces = try await Self.eventually("instance_network_interface resources") { () -> [[String: Any]]? in
                            let list = try await Self.get(endpoint, "/v1/resource/instance_network_interface") as? [[String: Any]] ?? []
                            return list.isEmpty ? nil : list
                        }
                        #expect(interfaces.allSatisfy { ($0["name"] as? String)?.isEmpty == false })

                        // cpu_util (rate_of_change) against the slope of the cpu counter over the same seconds.
                        let measures = try await Self.eventually("cpu_util measures") { () -> ([[Any]], [[Any]])? in
                            let path = "/v1/resource/instance/\(Self.instance)/metric/"
                            let util = try await Self.get(endpoint, path + "cpu_util/measures?aggregation=last") as? [[Any]] ?? []
                            let cpu = try await Self.get(endpoint, path + "cpu/measures?aggregation=last") as? [[Any]] ?? []
                            return util.count >= 4 && cpu.count >= 5 ? (util, cpu) : nil
                        }
                        let cpu = measures.1.compactMap { $0[2] as? Double }
                        let util = measures.0.compactMap { $0[2] as? Double }
                        let seconds = try Self.seconds(between: measures.1.first?[0], measures.1.last?[0])
                        let slope = (cpu.last! - cpu.first!) / seconds  // ns of CPU per second
                        let expected = min(100, slope / 1e9 / 2 * 100)  // two vCPUs
                        let mean = util.reduce(0, +) / Double(util.count)
                        #expect(abs(mean - expected) <= max(5, expected * 0.2), "cpu_util \(util) vs cpu slope \(slope) ns/s → \(expected) %")
                        #expect(poller.isRunning && agent.isRunning)
                        #expect(!agent.standardError.contains("bad signature"))
                    }
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func allInOneOnItsDefaultsShowsTheDemoHypervisorsInstancesWithinAMinute() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-demo") { directory in
            let all = ["all-in-one", "--data-dir", directory.path + "/data", "--port", "0", "--notification-port", "0",
                       "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(all) { process in
                let endpoint = try #require(try await process.apiEndpoint(), "all-in-one did not start:\n\(process.standardError)")
                let instances = try await Self.eventually("the demo instances and their metrics", timeout: .seconds(60)) { () -> [[String: Any]]? in
                    let list = try await Self.get(endpoint, "/v1/resource/instance") as? [[String: Any]] ?? []
                    let complete = list.filter { ($0["metrics"] as? [String: String]).map { $0["cpu"] != nil && $0["memory"] != nil } ?? false }
                    return list.count >= 3 && complete.count >= 2 ? list : nil
                }
                #expect(Set(instances.compactMap { $0["display_name"] as? String }) == ["web-1", "db-1", "batch-1"])
                let web = try #require(instances.first { $0["display_name"] as? String == "web-1" })
                let metrics = try #require(web["metrics"] as? [String: String])
                #expect(metrics["cpu"] != nil && metrics["memory"] != nil, "\(metrics.keys.sorted())")
                let hosts = try await Self.eventually("the host resource", timeout: .seconds(30)) { () -> [[String: Any]]? in
                    let list = try await Self.get(endpoint, "/v1/resource/host") as? [[String: Any]] ?? []
                    return list.isEmpty ? nil : list
                }
                #expect((hosts.first?["metrics"] as? [String: String])?["hardware.memory.total"] != nil)
                #expect(!process.standardError.contains("cannot create resource"), "\(process.standardError)")
            }
        }
    }

    static func seconds(between first: Any?, _ last: Any?) throws -> Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        func parse(_ value: Any?) throws -> Date {
            guard let text = value as? String, let date = formatter.date(from: text) ?? plain.date(from: text) else {
                throw Failure(description: "not a timestamp: \(String(describing: value))")
            }
            return date
        }
        let span = try parse(last).timeIntervalSince(try parse(first))
        guard span > 0 else { throw Failure(description: "cpu measures span no time") }
        return span
    }
}
