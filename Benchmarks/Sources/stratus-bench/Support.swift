import Foundation

/// A small, fast, seeded generator so that every run benchmarks the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Test data shared by the benchmarks.
enum Workload {
    static let second: Int64 = 1_000_000_000
    /// 2023-11-14T22:13:20Z in nanoseconds: a realistic epoch offset.
    static let start: Int64 = 1_700_000_000 * second

    /// `count` timestamps `interval` apart from `start`.
    static func regularTimestamps(_ count: Int, interval: Int64 = 10 * second, from first: Int64 = start) -> [Int64] {
        var out = [Int64](repeating: 0, count: count)
        for i in 0..<count { out[i] = first + Int64(i) * interval }
        return out
    }

    /// A random walk with steps uniform in ±1, each point rounded to 2 decimals (as the codec tests).
    static func roundedWalk(_ count: Int, seed: UInt64, level: Double = 100) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var level = level
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
            level += Double.random(in: -1...1, using: &rng)
            out[i] = (level * 100).rounded() / 100
        }
        return out
    }

    /// Shannon entropy, in bits, of the distribution of the steps between consecutive values counted in
    /// hundredths (the information a perfect coder of the steps needs per point).
    static func stepEntropyBits(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        var histogram = [Int64: Int]()
        for i in 1..<values.count {
            let step = Int64((values[i] * 100).rounded()) - Int64((values[i - 1] * 100).rounded())
            histogram[step, default: 0] += 1
        }
        let n = Double(values.count - 1)
        return histogram.values.reduce(0.0) { sum, count in
            let p = Double(count) / n
            return sum - p * log2(p)
        }
    }
}

/// Wall-clock timing on the monotonic clock.
enum Timing {
    /// Seconds taken by `body`.
    @inline(never)
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return (clock.now - start).seconds
    }

    /// Seconds taken by `body`.
    @inline(never)
    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return (clock.now - start).seconds
    }

    /// Every run's time, in run order.
    static func runs(_ count: Int, _ body: () throws -> Void) rethrows -> [Double] {
        var times = [Double]()
        for _ in 0..<count { times.append(try seconds(body)) }
        return times
    }
}

/// CPU time (user + system) this process has used so far, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    _ = getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Best (minimum) and median of a set of run times.
struct RunTimes {
    var times: [Double]
    var best: Double { times.min() ?? .nan }
    var median: Double {
        let sorted = times.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }
}

/// Sinks results so the optimizer cannot remove the work that produced them.
nonisolated(unsafe) var blackHole: UInt64 = 0

@inline(never)
func consume(_ value: Int) { blackHole &+= UInt64(bitPattern: Int64(value)) }

@inline(never)
func consume(_ value: Double) { blackHole &+= value.bitPattern }

/// Number formatting for the reports.
enum Format {
    static func rate(_ perSecond: Double) -> String {
        if perSecond >= 1e6 { return String(format: "%.2f M/s", perSecond / 1e6) }
        if perSecond >= 1e3 { return String(format: "%.1f k/s", perSecond / 1e3) }
        return String(format: "%.1f /s", perSecond)
    }

    static func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    static func millis(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

    static func bytes(_ count: Int) -> String {
        let value = Double(count)
        if value >= 1_048_576 { return String(format: "%.1f MiB", value / 1_048_576) }
        if value >= 1024 { return String(format: "%.1f KiB", value / 1024) }
        return "\(count) B"
    }

    /// A Markdown table row.
    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
}

/// `--name value` options after the subcommand.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>, known: Set<String>) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("--") else { throw BenchError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard known.contains(name) else {
                throw BenchError("unknown option --\(name); known: " + known.sorted().map { "--" + $0 }.joined(separator: ", "))
            }
            guard let v = value ?? iterator.next() else { throw BenchError("--\(name) needs a value") }
            values[name] = v
        }
    }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else {
            throw BenchError("--\(name) must be a positive integer, got '\(text)'")
        }
        return value
    }

    func string(_ name: String) -> String? { values[name] }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Turns a `perf record --control fifo:CTL,ACK -D -1` session on and off around one phase.
struct PerfControl {
    private let control: Int32
    private let ack: Int32

    init(control: String?, ack: String?) {
        self.control = control.map { open($0, O_WRONLY) } ?? -1
        self.ack = ack.map { open($0, O_RDONLY) } ?? -1
    }

    func enable() { send("enable\n") }
    func disable() { send("disable\n") }

    private func send(_ command: String) {
        guard control >= 0 else { return }
        _ = command.utf8CString.withUnsafeBufferPointer { write(control, $0.baseAddress!, $0.count - 1) }
        if ack >= 0 {
            var buffer = [UInt8](repeating: 0, count: 16)
            _ = buffer.withUnsafeMutableBytes { read(ack, $0.baseAddress!, $0.count) }
        }
    }
}
