import StratusCore
import Synchronization

/// One `hardware.*` meter of the host the agent runs on (Ceilometer's hardware pollsters, read
/// from `/proc` and `/sys` instead of SNMP). Resource ids are the host name, or
/// `<host>.<disk or interface or mount point>` for per-device meters, as Ceilometer's SNMP
/// inspector built them.
public struct HostPollster: Pollster {
    /// The meter name.
    public let meterName: String
    /// gauge, delta or cumulative.
    public let type: SampleType
    /// The unit, as Ceilometer's meter list gives it.
    public let unit: String
    /// The statistics read for one host: (value, resource id suffix, metadata) triples.
    let measure: @Sendable (HostSnapshot) throws -> [HostMeasurement]

    /// `local_node`.
    public var defaultDiscovery: String? { HostPollsters.discovery }

    public func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
        var samples: [Sample] = []
        for resource in resources where resource.kind == .host {
            let host = resource.host ?? resource.id
            let tracker = try context.environment.shared("host.cpu-usage-tracker") { CPUUsageTracker() }
            let snapshot = HostSnapshot(reader: HostPollsters.reader(for: resource), cache: context.cache, tracker: tracker)
            for measurement in try measure(snapshot) {
                var metadata = measurement.metadata
                metadata["host"] = .string(host)
                samples.append(Sample(
                    name: meterName, type: type, unit: unit, volume: measurement.value,
                    resourceID: measurement.suffix.map { "\(host).\($0)" } ?? host,
                    timestamp: context.timestamp, resourceMetadata: metadata))
            }
        }
        return samples
    }
}

/// One value of a host meter.
struct HostMeasurement: Sendable {
    var value: TelemetryValue
    var suffix: String?
    var metadata: [String: TelemetryValue] = [:]
}

/// The host's statistics files for one cycle, each read and parsed once per cycle (shared by
/// the pollsters through the cycle's cache).
struct HostSnapshot: Sendable {
    let reader: HostStatsReader
    let cache: PollingCache
    let tracker: CPUUsageTracker

    func text(_ relative: String) throws -> String {
        let key = "host:\(reader.root)\(relative)"
        if let cached: String = cache.value(key) { return cached }
        let text = try reader.read(relative)
        cache.set(key, text)
        return text
    }

    var meminfo: [String: Int64] {
        get throws { HostStatsReader.parseMeminfo(try text("proc/meminfo")) }
    }

    func memory(_ field: String) throws -> Int64 {
        guard let value = try meminfo[field] else {
            throw HostStatsReader.ReadError(path: reader.root + "proc/meminfo", reason: "no \(field) field")
        }
        return value
    }

    /// CPU usage since the previous cycle (since boot on the first), shared by the CPU meters.
    func cpuUsage() throws -> CPUUsage {
        let key = "host:\(reader.root)cpu-usage"
        if let cached: CPUUsage = cache.value(key) { return cached }
        guard let times = HostStatsReader.parseCPUTimes(try text("proc/stat")) else {
            throw HostStatsReader.ReadError(path: reader.root + "proc/stat", reason: "no cpu line")
        }
        let usage = tracker.usage(root: reader.root, times: times)
        cache.set(key, usage)
        return usage
    }
}

/// CPU busy and idle percentages over an interval.
struct CPUUsage: Sendable, Hashable {
    var utilization: Double
    var idle: Double
}

/// Remembers the previous `/proc/stat` reading of each root, to turn counters into
/// percentages over the polling interval.
final class CPUUsageTracker: Sendable {
    private let previous = Mutex<[String: CPUTimes]>([:])

    func usage(root: String, times: CPUTimes) -> CPUUsage {
        let before = previous.withLock { state -> CPUTimes? in
            defer { state[root] = times }
            return state[root]
        }
        var total = times.total, idle = times.idle
        if let before, times.total > before.total {
            total -= before.total
            idle -= before.idle
        }
        guard total > 0 else { return CPUUsage(utilization: 0, idle: 100) }
        let idlePercent = (Double(max(0, min(idle, total))) / Double(total) * 10_000).rounded() / 100
        return CPUUsage(utilization: ((100 - idlePercent) * 100).rounded() / 100, idle: idlePercent)
    }
}
