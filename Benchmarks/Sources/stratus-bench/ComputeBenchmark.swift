import Foundation
import Logging
import StratusCompute
import StratusCore
import StratusPolling

/// `stratus-bench compute`: full polling cycles of every libvirt compute meter on libvirt's
/// test driver, with a generated node of `--domains` domains (2 disks and 2 vNICs each, nova
/// metadata, balloon), as the agent runs them: a new cycle cache, `local_instances` discovery,
/// then each pollster on the discovered instances. Reports CPU per cycle and RSS at start, after
/// 100 cycles and after the last one (targets: ≤ 100 ms CPU per cycle, ≤ 15 MB RSS, no growth).
enum ComputeBenchmark {
    static func run(_ options: Options) async throws {
        let domainCount = try options.int("domains", default: 100)
        let cycles = try options.int("cycles", default: 1000)
        if let path = options.string("write-node") {
            // Only the node file (bench/libvirt-floor/run.sh polls it from C).
            try ComputeNode.xml(domains: domainCount).write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stratus-bench-compute-\(getpid())", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = directory.appendingPathComponent("node.xml")
        try ComputeNode.xml(domains: domainCount).write(to: node, atomically: true, encoding: .utf8)

        let configuration = try ConfigurationFile.parse(
            yaml: "compute:\n  libvirt_uri: \"test://\(node.path)\"\n", file: "bench.yaml")
        var logger = Logger(label: "stratus-bench")
        logger.logLevel = .warning
        let environment = PollingEnvironment(
            configuration: configuration, logger: logger, namespaces: [PollingNamespace.compute], hostName: "bench-host")
        let registrations = ComputePollsters.registrations
        // The two `.rate` meters are permanent errors that the agent blacklists on the first
        // cycle: leave them out of the steady-state cycle.
        let available = Set(ComputePollsters.meters.filter {
            if case .unavailable = $0.source { return false }
            return true
        }.map(\.name))
        let pollsters = try registrations.pollsters.filter { available.contains($0.meterName) }.map { try $0.make(environment) }
        guard let discoverer = try registrations.discoverers.first(where: { $0.name == LocalInstancesDiscoverer.name })?
            .make(environment) else { throw BenchError("no local_instances discoverer") }

        func cycle() async throws -> Int {
            let context = PollContext(
                timestampNanoseconds: Int64(Date().timeIntervalSince1970 * 1e9), cache: PollingCache(), sourceName: "bench",
                logger: logger, environment: environment)
            let resources = try await discoverer.discover(parameter: nil, context: context)
            var samples = 0
            for pollster in pollsters {
                let produced = try await pollster.poll(resources: resources, context: context)
                samples += produced.count
                consume(produced.count)
            }
            return samples
        }

        print("## compute: \(domainCount) test-driver domains (2 disks, 2 vNICs each), \(pollsters.count) meters, \(cycles) cycles")
        print("")
        let rssStart = ProcessMemory.current()
        var cpu = [Double]()
        cpu.reserveCapacity(cycles)
        var samplesPerCycle = 0
        var rssAfter100: ProcessMemory?
        let wallStart = ContinuousClock.now
        for index in 1...cycles {
            let before = processCPUSeconds()
            samplesPerCycle = try await cycle()
            cpu.append(processCPUSeconds() - before)
            if index == min(100, cycles) { rssAfter100 = ProcessMemory.current() }
        }
        let wall = (ContinuousClock.now - wallStart).seconds
        let rssEnd = ProcessMemory.current()
        let sorted = cpu.sorted()
        let mean = cpu.reduce(0, +) / Double(cpu.count)
        let firstTen = cpu.prefix(10).reduce(0, +) / Double(min(10, cpu.count))
        let lastHundred = cpu.suffix(100).reduce(0, +) / Double(min(100, cpu.count))
        print("samples per cycle: \(samplesPerCycle)")
        print("")
        print(Format.row(["CPU per cycle", "mean", "p50", "p99", "max", "first 10 cycles", "last 100 cycles", "target"]))
        print(Format.row(Array(repeating: "---", count: 8)))
        print(Format.row([
            "user + system", Format.millis(mean), Format.millis(sorted[sorted.count / 2]),
            Format.millis(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]), Format.millis(sorted.last ?? 0),
            Format.millis(firstTen), Format.millis(lastHundred), "≤ 100 ms",
        ]))
        print("")
        print("wall: \(Format.fixed(wall, 1)) s for \(cycles) cycles (\(Format.millis(wall / Double(cycles))) per cycle)")
        print("")
        print(Format.row(["RSS", "VmRSS", "RssAnon", "RssFile", "target"]))
        print(Format.row(Array(repeating: "---", count: 5)))
        for (label, memory) in [("start (after setup)", rssStart), ("after \(min(100, cycles)) cycles", rssAfter100 ?? rssStart),
                                ("after \(cycles) cycles", rssEnd)] {
            print(Format.row([label, Format.bytes(memory.rss), Format.bytes(memory.anonymous), Format.bytes(memory.file), "≤ 15 MB"]))
        }
        print("")
        print("RESULT compute.cycle_cpu_ms mean=\(Format.fixed(mean * 1000)) p99=\(Format.fixed(sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1000)) target<=100")
        print("RESULT compute.rss_bytes start=\(rssStart.rss) after100=\((rssAfter100 ?? rssStart).rss) end=\(rssEnd.rss) "
              + "anon_start=\(rssStart.anonymous) anon_end=\(rssEnd.anonymous) target<=15000000")
        print("RESULT compute.samples_per_cycle=\(samplesPerCycle)")
    }
}

/// The process's resident memory from `/proc/self/status`, bytes.
struct ProcessMemory {
    var rss = 0
    var anonymous = 0
    var file = 0

    static func current() -> ProcessMemory {
        var memory = ProcessMemory()
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kib = Int(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS:": memory.rss = kib * 1024
            case "RssAnon:": memory.anonymous = kib * 1024
            case "RssFile:": memory.file = kib * 1024
            default: break
            }
        }
        return memory
    }
}
