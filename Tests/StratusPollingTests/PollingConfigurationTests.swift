import Foundation
import StratusCore
import StratusPolling
import Testing

@Suite struct PollingConfigurationTests {
    @Test func defaultsAreCeilometers() throws {
        let configuration = try PollingConfiguration(ConfigurationFile.parse(yaml: "", file: "s.yaml").section("polling"))
        #expect(configuration.cfgFile == "polling.yaml")
        #expect(!configuration.cfgFileIsExplicit)
        #expect(configuration.batchSize == 50)
        #expect(configuration.pollstersDefinitionsDirs == ["/etc/ceilometer/pollsters.d"])
        #expect(configuration.threadsToProcessPollsters == 1)
        #expect(configuration.publishers == ["log://"])
        let publisher = try PublisherConfiguration(ConfigurationFile.parse(yaml: "", file: "s.yaml").section("publisher"))
        #expect(publisher.telemetrySecret == "change this for valid signing")
    }

    @Test func readsOptionsAndRejectsBadValuesWithTheirLine() throws {
        let file = try ConfigurationFile.parse(yaml: """
            polling:
              cfg_file: /etc/stratus/polling.yaml
              batch_size: 0
              publishers: ["file:///tmp/x.jsonl", "log://"]
            publisher:
              telemetry_secret: ""
            """, file: "s.yaml")
        let polling = try PollingConfiguration(file.section("polling"))
        #expect(polling.cfgFileIsExplicit)
        #expect(polling.batchSize == 0)
        #expect(polling.publishers.count == 2)
        #expect(try PublisherConfiguration(file.section("publisher")).telemetrySecret == "")

        #expect(throws: ConfigurationError(file: "s.yaml", line: 3, reason: "polling.batch_size must be 0 or more, got -1")) {
            try PollingConfiguration(ConfigurationFile.parse(
                yaml: "polling:\n  cfg_file: p.yaml\n  batch_size: -1\n", file: "s.yaml").section("polling"))
        }
        #expect {
            try PollingConfiguration(ConfigurationFile.parse(yaml: "polling:\n  batchsize: 5\n", file: "s.yaml").section("polling"))
        } throws: { error in
            (error as? ConfigurationError)?.line == 2 && "\(error)".contains("unknown option 'polling.batchsize'")
        }
        #expect {
            try PollingConfiguration(ConfigurationFile.parse(yaml: "polling:\n  publishers: [kafka://x]\n", file: "s.yaml").section("polling"))
        } throws: { error in "\(error)".contains("unknown publisher 'kafka://x'") }
    }

    @Test func definitionsFileResolution() async throws {
        try await withTemporaryDirectory { directory in
            // Not set and absent: the embedded default.
            let absent = try PollingDefinitionsFile.resolve(
                PollingConfiguration(), configurationFile: directory + "/stratus.yaml", workingDirectory: directory)
            #expect(absent.path == nil)
            #expect(try absent.text() == DefaultPollingDefinitions.yaml)
            // Beside the configuration file.
            try "sources: []\n".write(toFile: directory + "/polling.yaml", atomically: true, encoding: .utf8)
            let beside = try PollingDefinitionsFile.resolve(
                PollingConfiguration(), configurationFile: directory + "/stratus.yaml", workingDirectory: "/nonexistent")
            #expect(beside.path == directory + "/polling.yaml")
            // Set explicitly and missing: an error.
            #expect(throws: ConfigurationError.self) {
                try PollingDefinitionsFile.resolve(
                    PollingConfiguration(cfgFile: "missing.yaml", cfgFileIsExplicit: true), configurationFile: nil,
                    workingDirectory: directory)
            }
        }
    }

    @Test func filePublisherAppendsOneJSONLinePerMessage() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/samples.jsonl"
            let publisher = try PublisherFactory.make(["file://\(path)"], logger: testEnvironment().logger)
            let messages = (0..<3).map { index in
                MeterMessage(
                    sample: Sample(name: "m", type: .gauge, unit: "u", volume: .int(Int64(index)), resourceID: "r"),
                    secret: "s")
            }
            try await publisher.publish(Array(messages[0..<2]))
            try await publisher.publish([messages[2]])
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(try lines.map { try MeterMessage(json: String($0)) } == messages)
            #expect(throws: PublisherError.self) { try PublisherFactory.make("kafka://x", logger: testEnvironment().logger) }
            #expect(throws: PublisherError.self) { try FilePublisher(path: directory + "/no/such/dir/x.jsonl") }
        }
    }

    @Test func metricsRenderPrometheusText() {
        let metrics = PollingMetrics()
        metrics.recordSamples(meter: "cpu", count: 3)
        metrics.recordPoll(meter: "cpu", seconds: 0.02)
        metrics.recordError(meter: "disk\"x", kind: "permanent")
        metrics.recordCycle(interval: 60)
        let text = metrics.render()
        #expect(text.contains("stratus_polling_samples_total{meter=\"cpu\"} 3\n"))
        #expect(text.contains("stratus_polling_poll_duration_seconds_bucket{meter=\"cpu\",le=\"0.01\"} 0\n"))
        #expect(text.contains("stratus_polling_poll_duration_seconds_bucket{meter=\"cpu\",le=\"0.05\"} 1\n"))
        #expect(text.contains("stratus_polling_poll_duration_seconds_count{meter=\"cpu\"} 1\n"))
        #expect(text.contains("stratus_polling_errors_total{meter=\"disk\\\"x\",kind=\"permanent\"} 1\n"))
        #expect(text.contains("stratus_polling_cycles_total{interval=\"60\"} 1\n"))
    }
}
