import Carbonara
import Foundation

/// `stratus-bench codec`: size and speed of `SeriesCodec` on series of `--points` points (default 3600)
/// with nanosecond timestamps 10 s apart (the raw-series form).
///
/// Speed is measured two ways: through the buffer API (`encode(timestamps:values:into:)` appending to a
/// reused array, `decode(_:timestamps:values:)` appending to reused arrays — the codec alone) and through
/// the array API (`encode(timestamps:values:) -> [UInt8]`, `decode(_:) -> (…)`, which allocates per call).
enum CodecBenchmark {
    struct Case {
        var name: String
        var values: [Double]
        var target: String
    }

    static func run(_ options: Options) throws {
        let count = try options.int("points", default: 3600)
        let runs = try options.int("runs", default: 5)
        // Each run encodes (or decodes) about this many points in total.
        let pointsPerRun = try options.int("points-per-run", default: 20_000_000)
        let iterations = max(1, pointsPerRun / count)
        let timestamps = Workload.regularTimestamps(count)

        var rng = SplitMix64(seed: 7)
        let walk = Workload.roundedWalk(count, seed: 11)
        let cases = [
            Case(name: "constant 42.5", values: Array(repeating: 42.5, count: count), target: "< 0.1 B/pt"),
            Case(name: "random walk, 2 decimals, steps ±1", values: walk, target: "≤ 1.5 B/pt"),
            Case(name: "random doubles uniform in [0, 1)", values: (0..<count).map { _ in Double.random(in: 0..<1, using: &rng) },
                 target: "≤ 8.5 B/pt"),
            Case(name: "random 64-bit patterns", values: (0..<count).map { _ in Double(bitPattern: rng.next()) },
                 target: "≤ 8.5 B/pt"),
            Case(name: "sine 50 + 20·sin(2πi/360)", values: (0..<count).map { 50 + 20 * sin(2 * Double.pi * Double($0) / 360) },
                 target: "—"),
        ]

        let entropy = Workload.stepEntropyBits(walk)
        let bigWalk = Workload.roundedWalk(1_000_000, seed: 12)
        let bigEntropy = Workload.stepEntropyBits(bigWalk)
        print("## codec: \(count)-point series, ns timestamps 10 s apart, \(runs) runs × \(iterations) calls")
        print("")
        print("random walk: empirical step entropy \(Format.fixed(entropy, 3)) bits = \(Format.fixed(entropy / 8, 3)) B/pt "
              + "over its \(count - 1) steps (\(Format.fixed(bigEntropy / 8, 3)) B/pt over 1,000,000 steps of the same walk)")
        print("")
        print(Format.row(["series", "bytes", "B/pt", "target", "encode M pt/s (buffer API)", "decode M pt/s (buffer API)",
                          "encode M pt/s (array API)", "decode M pt/s (array API)"]))
        print(Format.row(Array(repeating: "---", count: 8)))

        var results = [String]()
        for item in cases {
            let encoded = SeriesCodec.encode(timestamps: timestamps, values: item.values)
            let roundTrip = try SeriesCodec.decode(encoded)
            guard roundTrip.timestamps == timestamps,
                  zip(roundTrip.values, item.values).allSatisfy({ $0.bitPattern == $1.bitPattern }) else {
                throw BenchError("\(item.name): the round trip is not lossless")
            }
            let perPoint = Double(encoded.count) / Double(count)

            // Buffer API: no allocation per call once the buffers have grown.
            var output = [UInt8]()
            output.reserveCapacity(encoded.count)
            let encodeBuffer = timestamps.withUnsafeBufferPointer { ts in
                item.values.withUnsafeBufferPointer { vs in
                    RunTimes(times: Timing.runs(runs) {
                        for _ in 0..<iterations {
                            output.removeAll(keepingCapacity: true)
                            SeriesCodec.encode(timestamps: ts, values: vs, into: &output)
                        }
                        consume(output.count)
                    })
                }
            }
            var decodedTimestamps = [Int64](), decodedValues = [Double]()
            decodedTimestamps.reserveCapacity(count)
            decodedValues.reserveCapacity(count)
            let decodeBuffer = try encoded.withUnsafeBytes { raw in
                try RunTimes(times: Timing.runs(runs) {
                    for _ in 0..<iterations {
                        decodedTimestamps.removeAll(keepingCapacity: true)
                        decodedValues.removeAll(keepingCapacity: true)
                        try SeriesCodec.decode(raw, timestamps: &decodedTimestamps, values: &decodedValues)
                    }
                    consume(decodedValues.count)
                })
            }
            // Array API: what StoredMetric and the split code call.
            let encodeArray = RunTimes(times: Timing.runs(runs) {
                for _ in 0..<iterations { consume(SeriesCodec.encode(timestamps: timestamps, values: item.values).count) }
            })
            let decodeArray = try RunTimes(times: Timing.runs(runs) {
                for _ in 0..<iterations { consume(try SeriesCodec.decode(encoded).values.count) }
            })
            let total = Double(count * iterations)
            func mps(_ t: RunTimes) -> String { Format.fixed(total / t.best / 1e6, 1) + " (median " + Format.fixed(total / t.median / 1e6, 1) + ")" }
            print(Format.row([item.name, "\(encoded.count)", Format.fixed(perPoint, 3), item.target,
                              mps(encodeBuffer), mps(decodeBuffer), mps(encodeArray), mps(decodeArray)]))
            results.append("RESULT codec[\(item.name)] bytes_per_point=\(Format.fixed(perPoint, 3)) "
                           + "encode_mpts=\(Format.fixed(total / encodeBuffer.best / 1e6, 1)) decode_mpts=\(Format.fixed(total / decodeBuffer.best / 1e6, 1)) "
                           + "encode_array_mpts=\(Format.fixed(total / encodeArray.best / 1e6, 1)) decode_array_mpts=\(Format.fixed(total / decodeArray.best / 1e6, 1))")
        }
        print("")
        results.forEach { print($0) }
        print("RESULT codec.walk_entropy_bytes_per_point=\(Format.fixed(entropy / 8, 3))")
    }
}
