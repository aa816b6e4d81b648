import Foundation
import StratusTesting
import Testing

/// Drives the real aodhclient CLI (PyPI `aodhclient`, installed beside gnocchiclient by
/// `scripts/install-test-clients`) against a real `stratus all-in-one`.
///
/// Two ways to authenticate work: gnocchiclient's `gnocchi-basic` plugin (installed in the same virtualenv)
/// with `--user NAME --endpoint URL` against the default basic auth mode, and aodhclient's own
/// `aodh-noauth` plugin (`--aodh-endpoint URL --user-id U --project-id P --roles R`, sent as keystone's
/// `X-User-Id`/`X-Project-Id`/`X-Roles` headers) against `api.auth_mode=keystone`.
@Suite("aodhclient against stratus all-in-one", .serialized)
struct AodhClientTests {
    /// The `aodh` command: `STRATUS_AODH_CLIENT`, or the virtualenv `scripts/install-test-clients` makes.
    static let client: String? = {
        let candidates = [ProcessInfo.processInfo.environment["STRATUS_AODH_CLIENT"], "/tmp/stratus-clients/bin/aodh"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct CommandFailure: Error, CustomStringConvertible { var description: String }

    /// Runs `aodh` with `authentication` + `arguments`; returns stdout, throws with stderr on failure.
    static func aodh(_ authentication: [String], _ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(client!, authentication + arguments, environment: ProcessInfo.processInfo.environment)
        guard result.exit == .exited(0) else {
            throw CommandFailure(description: "aodh \(arguments.joined(separator: " ")) failed (\(result.exit)): \(result.error)")
        }
        return result.output
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func list(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    static let createArguments = [
        "alarm", "create", "--type", "gnocchi_resources_threshold", "--metric", "cpu_util",
        "--resource-id", "5a301761-f78b-46e2-8900-8b4f6fe6675a", "--resource-type", "generic",
        "--aggregation-method", "mean", "--threshold", "80", "--comparison-operator", "gt", "-f", "json",
    ]

    @Test(.enabled(if: client != nil, "aodhclient is not installed: run scripts/install-test-clients"), .timeLimit(.minutes(3)))
    func alarmLifecycleWithGnocchiBasicAuth() async throws {
        try await Self.alarmLifecycle(extraArguments: [])
    }

    /// The same with the index (and so the alarms) in PostgreSQL; only when `STRATUS_TEST_POSTGRES_URL` is set.
    @Test(.enabled(if: client != nil, "aodhclient is not installed: run scripts/install-test-clients"),
          .enabled(if: IndexConformance.postgresURL != nil, "STRATUS_TEST_POSTGRES_URL is not set"),
          .timeLimit(.minutes(3)))
    func alarmLifecycleOnPostgreSQL() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            try await Self.alarmLifecycle(extraArguments: ["--set", "indexer.url=" + url])
        }
    }

    static func alarmLifecycle(extraArguments: [String]) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-aodhclient") { directory in
            let arguments = ["all-in-one", "--roles", "api", "--data-dir", directory.path + "/data", "--port", "0"]
                + extraArguments
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                let auth = ["--os-auth-type", "gnocchi-basic", "--user", "admin", "--endpoint", url]

                let created = try await Self.object(Self.aodh(
                    auth, Self.createArguments + ["--name", "cpu-high", "--alarm-action", "log://", "--alarm-action", "log://"]))
                let id = try #require(created["alarm_id"] as? String)
                #expect(created["state"] as? String == "insufficient data")
                #expect(created["severity"] as? String == "low")
                #expect(created["alarm_actions"] as? [String] == ["log://"])
                #expect(created["comparison_operator"] as? String == "gt")
                #expect(created["granularity"] as? Int == 60)

                let listed = try await Self.list(Self.aodh(auth, ["alarm", "list", "-f", "json"]))
                #expect(listed.compactMap { $0["alarm_id"] as? String } == [id])
                let shown = try await Self.object(Self.aodh(auth, ["alarm", "show", id, "-f", "json"]))
                #expect(shown["name"] as? String == "cpu-high")
                let byName = try await Self.object(Self.aodh(auth, ["alarm", "show", "--name", "cpu-high", "-f", "json"]))
                #expect(byName["alarm_id"] as? String == id)

                let updated = try await Self.object(Self.aodh(
                    auth, ["alarm", "update", id, "--threshold", "90", "--severity", "critical", "-f", "json"]))
                #expect(updated["threshold"] as? Double == 90)
                #expect(updated["severity"] as? String == "critical")
                #expect(updated["name"] as? String == "cpu-high")

                let set = try await Self.object(Self.aodh(auth, ["alarm", "state", "set", "--state", "alarm", id, "-f", "json"]))
                #expect(set["state"] as? String == "alarm")
                let got = try await Self.object(Self.aodh(auth, ["alarm", "state", "get", id, "-f", "json"]))
                #expect(got["state"] as? String == "alarm")
                let filtered = try await Self.list(Self.aodh(auth, ["alarm", "list", "--query", "state=alarm and severity=critical", "-f", "json"]))
                #expect(filtered.count == 1)

                let history = try await Self.list(Self.aodh(auth, ["alarm-history", "show", id, "-f", "json"]))
                #expect(history.compactMap { $0["type"] as? String } == ["state transition", "rule change", "creation"])
                #expect((history.first?["detail"] as? String)?.contains("Manually set via API") == true)
                let searched = try await Self.list(Self.aodh(auth, ["alarm-history", "search", "--query", "alarm_id=\(id)", "-f", "json"]))
                #expect(searched.count == 3)

                await #expect(throws: CommandFailure.self) {
                    try await Self.aodh(auth, Self.createArguments + ["--name", "bad", "--ok-action", "ftp://example.com/"])
                }
                _ = try await Self.aodh(auth, ["alarm", "delete", id])
                await #expect(throws: CommandFailure.self) { try await Self.aodh(auth, ["alarm", "show", id]) }
                #expect(try await Self.list(Self.aodh(auth, ["alarm", "list", "-f", "json"])).isEmpty)

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0))
            }
        }
    }

    @Test(.enabled(if: client != nil, "aodhclient is not installed: run scripts/install-test-clients"), .timeLimit(.minutes(3)))
    func projectsAreIsolatedWithNoauthHeaders() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-aodhclient") { directory in
            let arguments = ["all-in-one", "--roles", "api", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "api.auth_mode=keystone"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                func auth(_ user: String, _ project: String, _ roles: String = "member") -> [String] {
                    ["--os-auth-type", "aodh-noauth", "--aodh-endpoint", url, "--user-id", user, "--project-id", project,
                     "--roles", roles]
                }
                let alice = try await Self.object(Self.aodh(auth("alice", "pa"), Self.createArguments + ["--name", "alice's"]))
                #expect(alice["project_id"] as? String == "pa")
                #expect(alice["user_id"] as? String == "alice")
                let aliceID = try #require(alice["alarm_id"] as? String)
                _ = try await Self.aodh(auth("bob", "pb"), Self.createArguments + ["--name", "bob's"])
                let bobs = try await Self.list(Self.aodh(auth("bob", "pb"), ["alarm", "list", "-f", "json"]))
                #expect(bobs.compactMap { $0["name"] as? String } == ["bob's"])
                await #expect(throws: CommandFailure.self) { try await Self.aodh(auth("bob", "pb"), ["alarm", "show", aliceID]) }
                let all = try await Self.list(Self.aodh(
                    auth("root", "pa", "admin"), ["alarm", "list", "--filter", "all_projects=true", "-f", "json"]))
                #expect(Set(all.compactMap { $0["name"] as? String }) == ["alice's", "bob's"])

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0))
            }
        }
    }

    /// Stratus's own `stratus alarm …` client commands against the same server.
    @Test(.timeLimit(.minutes(3)))
    func stratusAlarmCommands() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-alarm-cli") { directory in
            let arguments = ["all-in-one", "--roles", "api", "--data-dir", directory.path + "/data", "--port", "0"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                func run(_ arguments: [String]) async throws -> ClientCommandTests.Run {
                    try await ClientCommandTests.stratus(url, arguments)
                }
                let created = try await run([
                    "alarm", "create", "--name", "hot", "--metric", "cpu", "--resource-id", "r1", "--threshold", "5",
                    "--comparison-operator", "gt", "--alarm-action", "log://", "-f", "json"])
                #expect(created.status == 0, "\(created)")
                let alarm = try #require(try created.json() as? [String: Any])
                let id = try #require(alarm["alarm_id"] as? String)
                #expect(alarm["threshold"] as? Double == 5)
                #expect(alarm["state"] as? String == "insufficient data")
                let listed = try #require(try await run(["alarm", "list", "-f", "json"]).json() as? [[String: Any]])
                #expect(listed.compactMap { $0["alarm_id"] as? String } == [id])
                let set = try #require(try await run(["alarm", "state", id, "--state", "alarm", "-f", "json"]).json() as? [String: Any])
                #expect(set["state"] as? String == "alarm")
                let history = try #require(try await run(["alarm", "history", id, "-f", "json"]).json() as? [[String: Any]])
                #expect(history.compactMap { $0["type"] as? String } == ["state transition", "creation"])
                let missing = try await run(["alarm", "show", "nope"])
                #expect(missing.status == 1)
                #expect(missing.error == "Alarm nope not found (HTTP 404)\n")
                let bad = try await run(["alarm", "create", "--name", "x", "--rule", "{\"metric\": 1}"])
                #expect(bad.status == 1)
                #expect(try await run(["alarm", "delete", id]).status == 0)
                #expect(try #require(try await run(["alarm", "list", "-f", "json"]).json() as? [Any]).isEmpty)
            }
        }
    }
}
