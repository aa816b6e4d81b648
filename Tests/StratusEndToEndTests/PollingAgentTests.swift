import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import StratusCore
import StratusTesting
import Testing

@Suite("stratus polling")
struct PollingAgentTests {
    /// The meter messages (lines starting with `{`) in a process's output.
    static func messages(in output: String) throws -> [MeterMessage] {
        try output.split(separator: "\n").filter { $0.hasPrefix("{") }.map { try MeterMessage(json: String($0)) }
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test(.timeLimit(.minutes(2)))
    func onceDryRunPrintsOneSignedMeterMessagePerLineAndExits() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-polling") { directory in
            let config = directory.path + "/stratus.yaml"
            try Self.write("""
                polling:
                  cfg_file: host-polling.yaml
                  pollsters_definitions_dirs: []
                publisher:
                  telemetry_secret: e2e-secret
                """, to: config)
            try Self.write("""
                sources:
                  - name: memory
                    interval: 60
                    meters: ["hardware.memory.*"]
                  - name: load
                    interval: 10
                    meters: ["hardware.cpu.load.*", "hardware.cpu.util"]
                """, to: directory.path + "/host-polling.yaml")
            let (exit, output) = try await StratusProcess.run(
                ["polling", "--once", "--dry-run", "--config-file", config, "--polling-namespaces", "central"])
            #expect(exit == .exited(0), "\(output)")
            let messages = try Self.messages(in: output)
            let meters = messages.compactMap(\.counterName)
            #expect(Set(meters) == [
                "hardware.memory.total", "hardware.memory.used", "hardware.memory.buffer", "hardware.memory.cached",
                "hardware.memory.swap.total", "hardware.memory.swap.avail", "hardware.cpu.load.1min",
                "hardware.cpu.load.5min", "hardware.cpu.load.15min", "hardware.cpu.util",
            ], "\(output)")
            #expect(meters.count == 10)
            for message in messages {
                #expect(message.verifySignature(secret: "e2e-secret"))
                #expect(!message.verifySignature(secret: MessageSigner.defaultSecret))
                #expect(Set(message.fields.keys) == Set(MeterMessage.fieldNames).subtracting(["publisher_id"]))
                #expect(message.fields["source"] == "openstack")
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func pollsterListLimitsThePollsters() async throws {
        let (exit, output) = try await StratusProcess.run(
            ["polling", "--once", "--dry-run", "--pollster-list", "hardware.memory.total", "--set", "polling.pollsters_definitions_dirs="])
        #expect(exit == .exited(0), "\(output)")
        #expect(try Self.messages(in: output).compactMap(\.counterName) == ["hardware.memory.total"])
    }

    @Test(.timeLimit(.minutes(2)))
    func invalidPollingYAMLStopsStartUpAndValidateListsEveryError() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-polling") { directory in
            let bad = directory.path + "/polling.yaml"
            try Self.write("""
                sources:
                  - name: a
                    interval: 60
                    meters: ["cpu", "!memory"]
                  - name: b
                    meters: ["*"]
                    discovery: ["no_such_discovery"]
                """, to: bad)
            let (exit, output) = try await StratusProcess.run(
                ["polling", "--once", "--dry-run", "--set", "polling.cfg_file=\(bad)"])
            #expect(exit != .exited(0))
            #expect(output.contains("\(bad):4: source 'a': Both included and excluded meters specified"), "\(output)")
            #expect(!output.contains("{\"counter_name\""))

            let validation = try await StratusProcess.run(["polling", "validate", bad])
            #expect(validation.exit == .exited(1))
            #expect(validation.output.contains("\(bad):4: source 'a': Both included and excluded meters specified"))
            #expect(validation.output.contains("\(bad):5: source 'b': Missing interval value"), "\(validation.output)")

            let good = directory.path + "/good.yaml"
            try Self.write("sources:\n  - {name: x, interval: 30, meters: ['hardware.*'], discovery: ['local_node']}\n", to: good)
            let ok = try await StratusProcess.run(["polling", "validate", good])
            #expect(ok.exit == .exited(0), "\(ok.output)")
            #expect(ok.output.contains("1 source(s), interval(s) 30 s"))
        }
    }

    /// Waits until `condition` holds; false on timeout.
    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        try await Eventually.holds(timeout: timeout, every: .milliseconds(50), condition)
    }

    @Test(.timeLimit(.minutes(2)))
    func runningAgentPublishesToAFileServesMetricsReloadsOnSIGHUPAndStopsOnSIGTERM() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-polling") { directory in
            let definitions = directory.path + "/polling.yaml"
            let samples = directory.path + "/samples.jsonl"
            try Self.write("sources:\n  - {name: fast, interval: 1, meters: ['hardware.memory.total']}\n", to: definitions)
            let arguments = [
                "polling", "--polling-namespaces", "central", "--metrics-port", "0",
                "--set", "polling.cfg_file=\(definitions)", "--set", "polling.publishers=file://\(samples)",
                "--set", "polling.reload_check_interval=0", "--set", "polling.batch_size=0",
                "--set", "polling.pollsters_definitions_dirs=",
            ]
            try await StratusProcess.with(arguments) { process in
                var port = 0
                let listening = try await Self.eventually(timeout: .seconds(30)) {
                    let log = process.standardError
                    guard let range = log.range(of: "port=") else { return !process.isRunning }
                    port = Int(log[range.upperBound...].prefix { $0.isNumber }) ?? 0
                    return true
                }
                try #require(listening && port > 0, "no metrics port:\n\(process.standardError)")
                // Published to the file, one signed message per line, about one per second.
                let published = try await Self.eventually(timeout: .seconds(20)) {
                    let text = (try? String(contentsOfFile: samples, encoding: .utf8)) ?? ""
                    return text.split(separator: "\n").count >= 2
                }
                #expect(published, "\(process.standardError)")
                let lines = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n")
                for line in lines {
                    let message = try MeterMessage(json: String(line))
                    #expect(message.counterName == "hardware.memory.total")
                    #expect(message.verifySignature(secret: MessageSigner.defaultSecret))
                }
                let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(port)/metrics")))
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
                let metrics = String(decoding: body, as: UTF8.self)
                #expect(metrics.contains("stratus_polling_samples_total{meter=\"hardware.memory.total\"}"), "\(metrics)")
                #expect(metrics.contains("stratus_polling_cycles_total{interval=\"1\"}"))

                // SIGHUP with an invalid file: reported, the running definitions kept.
                try Self.write("sources:\n  - {name: broken, meters: ['*']}\n", to: definitions)
                kill(process.processIdentifier, SIGHUP)
                let rejected = try await Self.eventually(timeout: .seconds(20)) {
                    process.standardError.contains("Invalid polling definitions, keeping the running ones")
                }
                #expect(rejected, "\(process.standardError)")
                #expect(process.standardError.contains("polling.line=2"))
                #expect(process.isRunning)
                // SIGHUP with a valid file: new meters.
                try Self.write("sources:\n  - {name: other, interval: 1, meters: ['hardware.memory.swap.total']}\n", to: definitions)
                kill(process.processIdentifier, SIGHUP)
                let reloaded = try await Self.eventually(timeout: .seconds(20)) {
                    ((try? String(contentsOfFile: samples, encoding: .utf8)) ?? "").contains("hardware.memory.swap.total")
                }
                #expect(reloaded, "\(process.standardError)")

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0), "\(process.standardError)")
            }
        }
    }
}
