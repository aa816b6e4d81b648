import Logging
import StratusCore
import Testing
@testable import StratusPipeline

@Suite("Transformers")
struct TransformerTests {
    let context = Fixture.context

    // MARK: unit_conversion

    @Test func unitConversionScalesRenamesAndSkipsOtherUnits() throws {
        var transformer = try UnitConversionTransformer(parameters: Fixture.parameters([
            "source": ["unit": "B"],
            "target": ["name": "disk.kilobytes", "unit": "KB", "scale": "volume * 1.0 / 1024"],
        ]))
        let converted = try #require(try transformer.handle(.make("disk.bytes", 2048, type: .cumulative), context: context))
        #expect(converted.name == "disk.kilobytes")
        #expect(converted.unit == "KB")
        #expect(converted.type == .cumulative)
        #expect(converted.volume == .double(2))
        let other = Sample.make("disk.requests", 7, unit: "request")
        #expect(try transformer.handle(other, context: context) == other)
    }

    @Test func unitConversionFactorAndMaxAndRegexMap() throws {
        var transformer = try UnitConversionTransformer(parameters: Fixture.parameters([
            "source": ["map_from": ["name": "disk\\.(read|write)\\.bytes", "unit": "(B)"]],
            "target": ["map_to": ["name": "disk.\\1.kilobytes", "unit": "K\\1"], "scale": 0.5, "max": 100],
        ]))
        let out = try #require(try transformer.handle(.make("disk.read.bytes", 1000), context: context))
        #expect(out.name == "disk.read.kilobytes")
        #expect(out.unit == "KB")
        #expect(out.volume == .double(100))  // 500 clamped to 100
        let small = try #require(try transformer.handle(.make("disk.write.bytes", 10), context: context))
        #expect(small.name == "disk.write.kilobytes")
        #expect(small.volume == .double(5))
    }

    // MARK: rate_of_change

    @Test func rateOfChangeComputesCPUUtilFromTheDefaultPipeline() throws {
        var transformer = try RateOfChangeTransformer(parameters: Fixture.parameters([
            "target": ["name": "cpu_util", "unit": "%", "type": "gauge", "max": 100,
                       "scale": "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"],
        ]))
        let metadata: [String: TelemetryValue] = ["cpu_number": 2]
        #expect(try transformer.handle(.make("cpu", 1_000_000_000, type: .cumulative, unit: "ns", at: "2026-11-25T10:00:00", metadata: metadata), context: context) == nil)
        // 60 s later, 30 s of CPU time more on 2 vCPUs: 30e9 ns / 60 s = 5e8 ns/s; × 100 / (1e9 × 2) = 25 %.
        let out = try #require(try transformer.handle(
            .make("cpu", 31_000_000_000, type: .cumulative, unit: "ns", at: "2026-11-25T10:01:00", metadata: metadata), context: context))
        #expect(out.name == "cpu_util")
        #expect(out.unit == "%")
        #expect(out.type == .gauge)
        #expect(out.volume == .double(25))
        // Another 60 s, 240 s of CPU time: 400 % before the clamp, 100 after.
        let clamped = try #require(try transformer.handle(
            .make("cpu", 271_000_000_000, type: .cumulative, unit: "ns", at: "2026-11-25T10:02:00", metadata: metadata), context: context))
        #expect(clamped.volume == .double(100))
    }

    @Test func rateOfChangeHandlesResetsOutOfOrderAndMonotonicTime() throws {
        var transformer = try RateOfChangeTransformer(parameters: Fixture.parameters(["target": ["name": "x.rate"]]))
        #expect(try transformer.handle(.make("x", 100, type: .cumulative, at: "2026-11-25T10:00:00"), context: context) == nil)
        // Counter reset: 40 < 100, so Δ = 40 over 10 s = 4/s.
        let reset = try #require(try transformer.handle(.make("x", 40, type: .cumulative, at: "2026-11-25T10:00:10"), context: context))
        #expect(reset.volume == .double(4))
        // Out of order (before the cached 10:00:10): dropped, cache kept.
        #expect(try transformer.handle(.make("x", 1000, type: .cumulative, at: "2026-11-25T10:00:05"), context: context) == nil)
        let next = try #require(try transformer.handle(.make("x", 60, type: .cumulative, at: "2026-11-25T10:00:20"), context: context))
        #expect(next.volume == .double(2))  // (60 − 40) / 10
        // A gauge may go down: negative rate.
        #expect(try transformer.handle(.make("g", 10, at: "2026-11-25T10:00:00"), context: context) == nil)
        let down = try #require(try transformer.handle(.make("g", 5, at: "2026-11-25T10:00:05"), context: context))
        #expect(down.volume == .double(-1))
        // Monotonic times win over timestamps: Δt = 2 s.
        #expect(try transformer.handle(.make("m", 0, at: "2026-11-25T10:00:00", monotonic: 100), context: context) == nil)
        let precise = try #require(try transformer.handle(.make("m", 10, at: "2026-11-25T10:01:00", monotonic: 102), context: context))
        #expect(precise.volume == .double(5))
        // Separate state per resource.
        #expect(try transformer.handle(.make("x", 60, type: .cumulative, resource: "r2", at: "2026-11-25T10:00:30"), context: context) == nil)
        // Δt = 0 gives 0.
        let same = try #require(try transformer.handle(.make("x", 90, type: .cumulative, at: "2026-11-25T10:00:20"), context: context))
        #expect(same.volume == .double(0))
    }

    @Test func rateOfChangeMapsDiskAndNetworkNames() throws {
        var transformer = try RateOfChangeTransformer(parameters: Fixture.parameters([
            "source": ["map_from": ["name": "(disk\\.device|disk)\\.(read|write)\\.(bytes|requests)", "unit": "(B|request)"]],
            "target": ["map_to": ["name": "\\1.\\2.\\3.rate", "unit": "\\1/s"], "type": "gauge"],
        ]))
        _ = try transformer.handle(.make("disk.device.read.bytes", 0, type: .cumulative, unit: "B", resource: "i-vda"), context: context)
        let out = try #require(try transformer.handle(
            .make("disk.device.read.bytes", 5120, type: .cumulative, unit: "B", resource: "i-vda", at: "2026-11-25T10:00:10"), context: context))
        #expect(out.name == "disk.device.read.bytes.rate")
        #expect(out.unit == "B/s")
        #expect(out.type == .gauge)
        #expect(out.volume == .double(512))
    }

    @Test func rateOfChangeMapsEveryNameRightWithMoreNamesThanItRemembers() throws {
        var transformer = try RateOfChangeTransformer(parameters: Fixture.parameters([
            "source": ["map_from": ["name": "m\\.(\\d+)", "unit": "(B)"]],
            "target": ["map_to": ["name": "rate.\\1", "unit": "\\1/s"]],
        ]))
        // Twice the names the rename memo keeps, in turn, three rounds: every output named after its input.
        let names = (0..<(2 * Renames.capacity)).map { "m.\($0)" }
        for (round, time) in ["2026-11-25T10:00:00", "2026-11-25T10:00:10", "2026-11-25T10:00:20"].enumerated() {
            for (index, name) in names.enumerated() {
                let out = try transformer.handle(.make(name, .int(Int64(round * 10)), type: .cumulative, unit: index.isMultiple(of: 2) ? "B" : "x", at: time), context: context)
                if round == 0 {
                    #expect(out == nil)
                } else {
                    #expect(out?.name == "rate.\(index)")
                    #expect(out?.unit == (index.isMultiple(of: 2) ? "B/s" : "x"))
                }
            }
        }
    }

    // MARK: delta

    @Test func deltaDropsFirstAndNegativeWithGrowthOnly() throws {
        var transformer = try DeltaTransformer(parameters: Fixture.parameters(["target": ["name": "cpu.delta"], "growth_only": true]))
        #expect(try transformer.handle(.make("cpu", 100, type: .cumulative, at: "2026-11-25T10:00:00"), context: context) == nil)
        let out = try #require(try transformer.handle(.make("cpu", 150, type: .cumulative, at: "2026-11-25T10:00:10"), context: context))
        #expect(out.name == "cpu.delta")
        #expect(out.type == .delta)
        #expect(out.volume == .double(50))
        #expect(try transformer.handle(.make("cpu", 120, type: .cumulative, at: "2026-11-25T10:00:20"), context: context) == nil)
        var both = try DeltaTransformer(parameters: Fixture.parameters([:]))
        _ = try both.handle(.make("cpu", 100, at: "2026-11-25T10:00:00"), context: context)
        #expect(try both.handle(.make("cpu", 70, at: "2026-11-25T10:00:10"), context: context)?.volume == .double(-30))
    }

    // MARK: accumulator

    @Test func accumulatorReleasesAtSizeOrRetention() throws {
        var transformer = try AccumulatorTransformer(parameters: Fixture.parameters(["size": 3, "retention_time": 60]))
        for volume in [1, 2] as [Int64] {
            #expect(try transformer.handle(.make("m", .int(volume)), context: TransformerContext(now: 1000, logger: Fixture.logger)) == nil)
        }
        #expect(transformer.flush(context: TransformerContext(now: 1001, logger: Fixture.logger)).isEmpty)
        _ = try transformer.handle(.make("m", 3), context: context)
        #expect(transformer.flush(context: TransformerContext(now: 1002, logger: Fixture.logger)).map(\.volume) == [1, 2, 3])
        _ = try transformer.handle(.make("m", 4), context: TransformerContext(now: 2000, logger: Fixture.logger))
        #expect(transformer.flush(context: TransformerContext(now: 2059, logger: Fixture.logger)).isEmpty)
        #expect(transformer.flush(context: TransformerContext(now: 2060, logger: Fixture.logger)).map(\.volume) == [4])
        #expect(throws: TransformerParameterError.self) { try AccumulatorTransformer(parameters: Fixture.parameters(["size": "x"])) }
    }

    // MARK: aggregator

    @Test func aggregatorMeansGaugesSumsDeltasKeepsLatestCumulative() throws {
        var transformer = try AggregatorTransformer(parameters: Fixture.parameters(["size": 6]))
        for (volume, time) in [(2.0, "10:00:00"), (4.0, "10:00:10")] {
            _ = try transformer.handle(.make("mem", .double(volume), at: "2026-11-25T\(time)"), context: context)
        }
        for volume in [1.0, 5.0] { _ = try transformer.handle(.make("net", .double(volume), type: .delta), context: context) }
        #expect(transformer.flush(context: context).isEmpty)  // 4 of 6
        for volume in [10.0, 30.0] { _ = try transformer.handle(.make("bytes", .double(volume), type: .cumulative), context: context) }
        let released = transformer.flush(context: context)
        #expect(released.map(\.name) == ["mem", "net", "bytes"])
        #expect(released.map(\.volume) == [.double(3), .double(6), .double(30)])
        #expect(released[0].timestamp == "2026-11-25T10:00:00")  // timestamp: first
        #expect(transformer.flush(context: context).isEmpty)
    }

    @Test func aggregatorAttributePoliciesAndRetention() throws {
        var transformer = try AggregatorTransformer(parameters: Fixture.parameters([
            "retention_time": 60, "user_id": "last", "resource_metadata": "drop", "timestamp": "last",
            "target": ["scale": 2],
        ]))
        // project_id has no policy: part of the key; user_id merges (last).
        _ = try transformer.handle(.make("m", 1, at: "2026-11-25T10:00:00", metadata: ["a": 1], user: "u1", project: "p1"), context: context)
        _ = try transformer.handle(.make("m", 3, at: "2026-11-25T10:00:30", metadata: ["a": 2], user: "u2", project: "p1"), context: context)
        _ = try transformer.handle(.make("m", 5, at: "2026-11-25T10:00:40", user: "u3", project: "p2"), context: context)
        let start = 1_795_600_800.0  // 2026-11-25T10:00:00Z
        #expect(transformer.flush(context: TransformerContext(now: start + 60, logger: Fixture.logger)).isEmpty)
        let released = transformer.flush(context: TransformerContext(now: start + 61, logger: Fixture.logger))
        #expect(released.count == 2)
        #expect(released[0].volume == .double(4))  // gauge mean of 2 and 6 (scaled ×2)
        #expect(released[0].userID == "u2")
        #expect(released[0].resourceMetadata.isEmpty)
        #expect(released[0].timestamp == "2026-11-25T10:00:30")
        #expect(released[1].projectID == "p2")
        #expect(released[1].volume == .double(10))
        #expect(throws: TransformerParameterError.self) {
            try AggregatorTransformer(parameters: Fixture.parameters(["resource_metadata": "middle"]))
        }
    }

    // MARK: arithmetic

    @Test func arithmeticComputesPerResourceOnFlush() throws {
        var transformer = try ArithmeticTransformer(parameters: Fixture.parameters([
            "target": ["name": "memory_util", "unit": "%", "type": "gauge", "expr": "100 * $(memory.usage) / $(memory)"],
        ]))
        #expect(try transformer.handle(.make("memory", 2048, unit: "MiB", resource: "a", at: "2026-11-25T10:00:00"), context: context) == nil)
        #expect(try transformer.handle(.make("memory.usage", 512, unit: "MiB", resource: "a", at: "2026-11-25T10:00:01"), context: context) == nil)
        #expect(try transformer.handle(.make("memory.usage", 1, unit: "MiB", resource: "b", at: "2026-11-25T10:00:02"), context: context) == nil)
        #expect(try transformer.handle(.make("cpu", 1, resource: "a", at: "2026-11-25T10:00:03"), context: context) == nil)
        let out = transformer.flush(context: context)
        #expect(out.count == 1)  // b lacks memory
        #expect(out[0].name == "memory_util")
        #expect(out[0].resourceID == "a")
        #expect(out[0].volume == .double(25))
        #expect(out[0].timestamp == "2026-11-25T10:00:03")  // the last sample received
        #expect(transformer.flush(context: context).isEmpty)  // the cache is cleared at each flush
        // NaN and division by zero are dropped.
        _ = try transformer.handle(.make("memory", 0, resource: "a"), context: context)
        _ = try transformer.handle(.make("memory.usage", 0, resource: "a"), context: context)
        #expect(transformer.flush(context: context).isEmpty)
        #expect(throws: TransformerParameterError.self) {
            try ArithmeticTransformer(parameters: Fixture.parameters(["target": ["expr": "1 + 1"]]))
        }
    }
}
