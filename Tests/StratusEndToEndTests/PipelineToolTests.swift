import Foundation
import StratusCore
import StratusTesting
import Testing

@Suite("stratus pipeline")
struct PipelineToolTests {
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func message(_ name: String, _ volume: TelemetryValue, at time: String, resource: String = "i-1",
                        metadata: [String: TelemetryValue] = [:]) -> String {
        MeterMessage(sample: Sample(
            name: name, type: .cumulative, unit: "ns", volume: volume, userID: "u", projectID: "p", resourceID: resource,
            timestamp: time, resourceMetadata: metadata), secret: "e2e").json
    }

    @Test(.timeLimit(.minutes(2)))
    func validateListsEveryErrorWithFileAndLineOrPrintsOK() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-pipeline") { directory in
            let bad = directory.path + "/bad.yaml"
            try Self.write("""
                sources:
                  - name: a
                    meters: ["cpu", "!memory"]
                    sinks: [s]
                  - name: b
                    meters: ["*"]
                    sinks: [missing]
                sinks:
                  - name: s
                    transformers:
                      - name: rate_of_change
                        parameters: {target: {scale: "volume ** "}}
                    publishers: ["nosuch://x"]
                """, to: bad)
            let failed = try await StratusProcess.run(["pipeline", "validate", bad])
            #expect(failed.exit == .exited(1))
            #expect(failed.output.contains("\(bad):3: source 'a': Both included and excluded meters specified"), "\(failed.output)")
            #expect(failed.output.contains("\(bad):7: source 'b': Dangling sink missing from source b"), "\(failed.output)")
            #expect(failed.output.contains("\(bad):12: sink 's': transformer 'rate_of_change': target.scale:"), "\(failed.output)")
            #expect(failed.output.contains("\(bad):13: sink 's': unknown publisher scheme 'nosuch'"), "\(failed.output)")

            let good = directory.path + "/good.yaml"
            try Self.write("sources:\n  - {name: all, meters: ['*'], sinks: [out]}\nsinks:\n  - {name: out, publishers: ['log://']}\n", to: good)
            let ok = try await StratusProcess.run(["pipeline", "validate", good])
            #expect(ok.exit == .exited(0), "\(ok.output)")
            #expect(ok.output.contains("ok: \(good): 1 source(s), 1 sink(s), 1 pipeline(s)"), "\(ok.output)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func dryRunPrintsPerSinkWhatEachPublisherWouldReceive() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-pipeline") { directory in
            let pipeline = directory.path + "/pipeline.yaml"
            let output = directory.path + "/must-not-exist.jsonl"
            try Self.write("""
                sources:
                  - name: meters
                    meters: ["*"]
                    sinks: [meter_sink]
                  - name: cpu
                    meters: ["cpu"]
                    sinks: [cpu_sink]
                sinks:
                  - name: meter_sink
                    publishers: ["file://\(output)"]
                  - name: cpu_sink
                    transformers:
                      - name: rate_of_change
                        parameters:
                          target:
                            name: cpu_util
                            unit: "%"
                            type: gauge
                            max: 100
                            scale: "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"
                    publishers: ["log://", "test://"]
                """, to: pipeline)
            let samples = directory.path + "/samples.jsonl"
            let lines = [
                Self.message("cpu", 10_000_000_000, at: "2026-11-25T10:00:00", metadata: ["cpu_number": 2]),
                Self.message("cpu", 25_000_000_000, at: "2026-11-25T10:00:30", metadata: ["cpu_number": 2]),
                Self.message("memory", nil, at: "2026-11-25T10:00:30"),
                "this is not json",
            ]
            try Self.write(lines.joined(separator: "\n") + "\n", to: samples)
            let (exit, text) = try await StratusProcess.run(["pipeline", "dry-run", "--pipeline", pipeline, "--samples", samples])
            #expect(exit == .exited(0), "\(text)")
            let stdout = text.split(separator: "\n").filter { $0.hasPrefix("#") || $0.hasPrefix("{") }.map(String.init)
            #expect(stdout.count == 8, "\(text)")
            guard stdout.count == 8 else { return }
            #expect(stdout[0] == "# sink meter_sink publisher file://\(output): 2 sample(s)")
            #expect(stdout[3] == "# sink cpu_sink publisher log://: 1 sample(s)")
            #expect(stdout[5] == "# sink cpu_sink publisher test://: 1 sample(s)")
            #expect(stdout[7] == "# 3 sample(s) read, 1 dropped (volume missing or not a number), 1 line(s) rejected")
            // 15e9 ns in 30 s on 2 vCPUs: 5e8 / 2e9 × 100 = 25 %.
            let util = try MeterMessage(json: stdout[4])
            #expect(util.counterName == "cpu_util")
            #expect(util.fields["counter_volume"] == .double(25))
            #expect(stdout[6] == stdout[4])
            #expect(!FileManager.default.fileExists(atPath: output))
            #expect(text.contains("\(samples):4: not a meter message"), "\(text)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func dryRunReadsThePollingAgentsDryRunOutputAsIs() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-pipeline") { directory in
            let polled = try await StratusProcess.run(
                ["polling", "--once", "--dry-run", "--pollster-list", "hardware.memory.total", "--set", "polling.pollsters_definitions_dirs="])
            #expect(polled.exit == .exited(0), "\(polled.output)")
            let messages = polled.output.split(separator: "\n").filter { $0.hasPrefix("{") }
            try #require(messages.count == 1, "\(polled.output)")
            let samples = directory.path + "/polled.jsonl"
            try Self.write(messages.joined(separator: "\n") + "\n", to: samples)
            let pipeline = directory.path + "/pipeline.yaml"
            try Self.write("""
                sources:
                  - {name: memory, meters: ["hardware.memory.*"], sinks: [kib]}
                sinks:
                  - name: kib
                    transformers:
                      - {name: unit_conversion, parameters: {target: {name: hardware.memory.total.mib, unit: MiB, scale: "volume / 1024.0"}}}
                    publishers: [test]
                """, to: pipeline)
            let (exit, text) = try await StratusProcess.run(["pipeline", "dry-run", "--pipeline", pipeline, "--samples", samples])
            #expect(exit == .exited(0), "\(text)")
            let published = text.split(separator: "\n").filter { $0.hasPrefix("{") }
            try #require(published.count == 1, "\(text)")
            let input = try MeterMessage(json: String(messages[0]))
            let output = try MeterMessage(json: String(published[0]))
            #expect(output.counterName == "hardware.memory.total.mib")
            #expect(output.fields["counter_unit"] == "MiB")
            let kib = try #require(input.fields["counter_volume"]?.doubleValue)
            #expect(output.fields["counter_volume"]?.doubleValue == kib / 1024)
            #expect(output.fields["resource_id"] == input.fields["resource_id"])
        }
    }
}
