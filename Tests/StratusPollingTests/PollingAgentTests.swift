import Foundation
import StratusCore
import StratusPolling
import StratusTesting
import Testing

@Suite struct PollingAgentTests {
    static let registrations = PollingRegistrations(
        pollsters: [
            PollsterRegistration(FakePollster("cpu"), namespaces: ["compute"]),
            PollsterRegistration(FakePollster("cpu_l3_cache"), namespaces: ["compute"]),
            PollsterRegistration(FakePollster("memory.usage"), namespaces: ["compute"]),
            PollsterRegistration(FakePollster("image.size"), namespaces: ["central"]),
            PollsterRegistration("broken", namespaces: ["central"]) { _ in throw FakeError() },
        ],
        discoverers: [DiscovererRegistration("fake", discoverer: FakeDiscoverer([.host("h")]), namespaces: ["compute", "central"])])

    static func plugins(namespaces: Set<String> = ["compute", "central"], pollsterList: [String] = []) -> PollingPlugins {
        PollingPlugins(
            pollsters: PollsterRegistry(registrations.pollsters), discoverers: DiscovererRegistry(registrations.discoverers),
            namespaces: namespaces, pollsterList: pollsterList, environment: testEnvironment())
    }

    // MARK: - Registry

    @Test func registryLoadsByNamespaceAndPollsterList() {
        #expect(Set(Self.plugins(namespaces: ["compute"]).pollsters.map(\.meterName)) == ["cpu", "cpu_l3_cache", "memory.usage"])
        #expect(Set(Self.plugins(pollsterList: ["cpu*"]).pollsters.map(\.meterName)) == ["cpu", "cpu_l3_cache"])
        let all = Self.plugins()
        #expect(all.pollsters.count == 4)
        #expect(all.failures.map(\.name) == ["broken"])
        #expect(all.discoverers.keys.sorted() == ["fake"])
        let registry = PollsterRegistry(Self.registrations.pollsters + [PollsterRegistration(FakePollster("cpu"), namespaces: ["compute"])])
        #expect(registry.registrations.count == Self.registrations.pollsters.count)
        #expect(registry.registration(namespace: "central", meterName: "image.size") != nil)
        #expect(registry.registration(namespace: "compute", meterName: "image.size") == nil)
    }

    @Test func environmentSharesOneObjectPerKey() throws {
        final class Inspector: Sendable {}
        let environment = testEnvironment()
        let first = try environment.shared("inspector") { Inspector() }
        // A factory may ask for other shared objects while making one.
        let nested = try environment.shared("outer") { try environment.shared("inspector") { Inspector() } }
        #expect(first === nested)
        #expect(first === (try environment.shared("inspector") { Inspector() }))
        #expect(throws: SharedObjectTypeError.self) { try environment.shared("inspector") { 42 } }
    }

    @Test func oneTaskPerDistinctInterval() throws {
        let definitions = try PollingDefinitions.parse(yaml: """
            sources:
              - {name: a, interval: 10, meters: ["cpu"]}
              - {name: b, interval: 300, meters: ["memory.*"]}
              - {name: c, interval: 10, meters: ["image.size"]}
              - {name: d, interval: 60, meters: ["nothing.loaded"]}
            """, file: "p.yaml")
        let tasks = Self.plugins().tasks(for: definitions, settings: settings(publisher: RecordingPublisher()))
        #expect(tasks.map { $0.interval } == [10, 300])
        #expect(tasks[0].entries.map(\.source.name) == ["a", "c"])
        #expect(tasks[0].entries.map { $0.pollsters.map(\.meterName) } == [["cpu"], ["image.size"]])
    }

    @Test func unknownDiscoveryIsAStartUpErrorWithFileAndLine() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/polling.yaml"
            try "sources:\n  - name: a\n    interval: 10\n    meters: ['*']\n    discovery: ['nope://x']\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                _ = try PollingAgent(
                    plugins: Self.plugins(), definitionsFile: PollingDefinitionsFile(path: path),
                    settings: settings(publisher: RecordingPublisher()))
            } throws: { error in
                guard let problem = (error as? PollingDefinitionsError)?.problems.first else { return false }
                return problem.file == path && problem.line == 2 && problem.reason.contains("unknown discovery 'nope://x'")
            }
        }
    }

    // MARK: - Scheduling and reload

    static let fastYAML = """
        sources:
          - {name: fast, interval: 1, meters: ["cpu"]}
          - {name: slow, interval: 1000, meters: ["memory.usage"]}
        """

    @Test(.timeLimit(.minutes(1)))
    func tasksRunImmediatelyThenEveryInterval() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/polling.yaml"
            try Self.fastYAML.write(toFile: path, atomically: true, encoding: .utf8)
            let metrics = PollingMetrics()
            let agent = try PollingAgent(
                plugins: Self.plugins(), definitionsFile: PollingDefinitionsFile(path: path),
                settings: settings(publisher: RecordingPublisher(), metrics: metrics),
                secondLength: .milliseconds(50), reloadCheckInterval: nil, reloadOnSIGHUP: false)
            let clock = ContinuousClock()
            var elapsed: Duration = .zero
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await agent.run() }
                // Both tasks run immediately.
                var waited = 0
                while metrics.cycles(interval: 1000) == 0 || metrics.cycles(interval: 1) == 0, waited < 500 {
                    try await Task.sleep(for: .milliseconds(10))
                    waited += 1
                }
                let started = clock.now
                #expect(metrics.cycles(interval: 1000) == 1)
                try await Task.sleep(for: .milliseconds(500))
                group.cancelAll()
                elapsed = started.duration(to: clock.now)
            }
            // One cycle per 50 ms after the first (late ticks are skipped, never run in a burst: at most one
            // more than the ticks that fit); at least one repeat even on a loaded machine. The slow task ran once.
            let cycles = metrics.cycles(interval: 1)
            let most = Int(elapsed / .milliseconds(50)) + 2
            #expect((2...most).contains(cycles), "\(cycles) cycles in \(elapsed)")
            #expect(metrics.cycles(interval: 1000) == 1)
        }
    }

    @Test func invalidReloadKeepsTheRunningDefinitions() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/polling.yaml"
            try Self.fastYAML.write(toFile: path, atomically: true, encoding: .utf8)
            let agent = try PollingAgent(
                plugins: Self.plugins(), definitionsFile: PollingDefinitionsFile(path: path),
                settings: settings(publisher: RecordingPublisher()))
            try "sources:\n  - {name: x, meters: ['cpu', '!memory']}\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(agent.reload() == false)
            #expect(agent.definitions.sources.map(\.name) == ["fast", "slow"])
            try "sources:\n  - {name: new, interval: 5, meters: ['*']}\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(agent.reload() == true)
            #expect(agent.definitions.sources.map(\.name) == ["new"])
            #expect(agent.makeTasks().map { $0.interval } == [5])
            #expect(agent.reload(onlyIfChanged: true) == false)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func runningAgentReloadsWhenTheFileChangesAndOnRequest() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/polling.yaml"
            try Self.fastYAML.write(toFile: path, atomically: true, encoding: .utf8)
            let metrics = PollingMetrics()
            let agent = try PollingAgent(
                plugins: Self.plugins(), definitionsFile: PollingDefinitionsFile(path: path),
                settings: settings(publisher: RecordingPublisher(), metrics: metrics),
                secondLength: .milliseconds(20), reloadCheckInterval: .milliseconds(20), reloadOnSIGHUP: false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await agent.run() }
                try await Task.sleep(for: .milliseconds(50))
                // An invalid file is reported and the running definitions kept.
                try "sources: [".write(toFile: path, atomically: true, encoding: .utf8)
                // Polled rather than slept for: on a loaded machine the check may run late.
                func eventually(_ condition: () -> Bool) async throws {
                    _ = try await Eventually.holds(timeout: .seconds(20)) { condition() }
                }
                try await eventually { metrics.render().contains("stratus_polling_reloads_total{result=\"rejected\"} 1") }
                #expect(agent.definitions.sources.map(\.name) == ["fast", "slow"])
                #expect(metrics.render().contains("stratus_polling_reloads_total{result=\"rejected\"} 1"))
                // A valid one replaces them and restarts the tasks with the new interval.
                try "sources:\n  - {name: other, interval: 2, meters: ['image.size']}\n"
                    .write(toFile: path, atomically: true, encoding: .utf8)
                var waited = 0
                while agent.definitions.sources.first?.name != "other", waited < 100 {
                    try await Task.sleep(for: .milliseconds(20))
                    waited += 1
                }
                #expect(agent.definitions.sources.map(\.name) == ["other"])
                try await eventually { metrics.cycles(interval: 2) >= 1 }
                #expect(metrics.cycles(interval: 2) >= 1)
                // An explicit request (what SIGHUP does) with an unchanged file reloads too.
                agent.requestReload()
                try await eventually { metrics.render().contains("stratus_polling_reloads_total{result=\"ok\"} 2") }
                #expect(metrics.render().contains("stratus_polling_reloads_total{result=\"ok\"} 2"))
                group.cancelAll()
            }
        }
    }
}
