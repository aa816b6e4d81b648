import Foundation
import StratusTesting
import Testing

@Suite("stratus metricd")
struct MetricdRoleTests {
    /// Waits until `condition` holds; false on timeout.
    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        try await Eventually.holds(timeout: timeout, every: .milliseconds(20), condition)
    }

    /// Upgrades a data directory with the binary and runs `body` with a started metricd on it.
    private func withMetricd(_ settings: [String], _ body: (StratusProcess) async throws -> Void) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-metricd") { directory in
            let data = directory.path + "/data"
            let upgrade = try await StratusProcess.run(["upgrade", "--data-dir", data, "--sacks-number", "4"])
            try #require(upgrade.exit == .exited(0), "\(upgrade.output)")
            try await StratusProcess.with(["metricd", "--data-dir", data] + settings.flatMap { ["--set", $0] }) { process in
                let started = try await Self.eventually(timeout: .seconds(60)) {
                    !process.isRunning || process.standardError.contains("metricd started")
                }
                try #require(started && process.isRunning, "metricd did not start:\n\(process.standardError)")
                try await body(process)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anIdleMetricdStopsPromptlyOnSIGTERM() async throws {
        // The default processing delay is 60 s and the janitor's 300 s: shutdown must not wait for them.
        try await withMetricd([]) { process in
            try await Task.sleep(for: .milliseconds(300))
            let stopping = ContinuousClock.now
            process.terminate()
            let exit = await process.waitUntilExit(timeout: .seconds(20))
            #expect(exit == .exited(0), "\(String(describing: exit)):\n\(process.standardError)")
            #expect(ContinuousClock.now - stopping < .seconds(5))
            #expect(process.standardError.contains("metricd stopped"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aNegativeReportingDelayDisablesTheBacklogReport() async throws {
        // MetricdConfiguration: "negative disables reporting (Gnocchi's -1)".
        try await withMetricd(["metricd.metric_reporting_delay=-1"]) { process in
            try await Task.sleep(for: .seconds(1))
            process.terminate()
            _ = await process.waitUntilExit(timeout: .seconds(20))
            let reports = process.standardError.components(separatedBy: "\n").filter { $0.contains("Backlog") }.count
            #expect(reports == 0, "\(reports) backlog reports in one second")
            
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func theBacklogIsReportedAtStartAndEveryReportingDelay() async throws {
        try await withMetricd(["metricd.metric_reporting_delay=1", "metricd.metric_processing_delay=1"]) { process in
            try await Task.sleep(for: .milliseconds(2_500))
            process.terminate()
            let exit = await process.waitUntilExit(timeout: .seconds(20))
            #expect(exit == .exited(0))
            let reports = process.standardError.components(separatedBy: "\n").filter { $0.contains("Backlog") }
            // About one report a second; a loaded machine stretches the run (start-up and shutdown included),
            // a busy loop would give thousands.
            #expect((2...30).contains(reports.count), "\(reports)")
            #expect(reports.allSatisfy { $0.contains("backlog.measures=0") })
        }
    }
}
