import Foundation
import StratusCore
import StratusStorage
import StratusTesting
import Testing

@testable import StratusAPI

/// One measures body and what Gnocchi 4.7.1 makes of it. The expectations marked (G) were produced by running
/// Gnocchi's own `MeasuresListSchema` / `MeasuresBatchSchema` (voluptuous 0.16, numpy 2.4, ujson 6.1) on the
/// same bytes; the others are documented deviations (Gnocchi crashes or stores NaT there).
struct DecoderCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable, Equatable {
        case measures([Int64], [Double])
        case invalid(String)
        case undecodable(String)
    }

    var body: String
    var outcome: Outcome
    var testDescription: String { body }

    static func ok(_ body: String, _ timestamps: [Int64], _ values: [Double]) -> Self {
        Self(body: body, outcome: .measures(timestamps, values))
    }

    static func invalid(_ body: String, _ reason: String) -> Self { Self(body: body, outcome: .invalid(reason)) }
    static func undecodable(_ body: String, _ reason: String) -> Self { Self(body: body, outcome: .undecodable(reason)) }
}

/// A fixed "now" for relative timestamps: 2023-11-14T22:13:20Z.
private let decoderNow: Int64 = 1_700_000_000_000_000_000
private let second: Int64 = 1_000_000_000

private func decode(_ text: String) -> DecoderCase.Outcome {
    decode(Array(text.utf8))
}

private func decode(_ bytes: [UInt8]) -> DecoderCase.Outcome {
    do {
        let measures = try bytes.withUnsafeBufferPointer { buffer throws(MeasuresDecoder.Failure) in
            try MeasuresDecoder.decodeMeasures(buffer, now: decoderNow)
        }
        return .measures(measures.timestamps, measures.values)
    } catch {
        switch error.kind {
        case .undecodable: return .undecodable(error.reason)
        case .invalid: return .invalid(error.reason)
        }
    }
}

private func decodeBatch(_ text: String) throws(MeasuresDecoder.Failure) -> [(id: UUID, measures: PendingMeasures)] {
    try Array(text.utf8).withUnsafeBufferPointer { buffer throws(MeasuresDecoder.Failure) in
        try MeasuresDecoder.decodeBatch(buffer, now: decoderNow)
    }
}

/// Outcomes compare NaN values as equal.
private func same(_ a: DecoderCase.Outcome, _ b: DecoderCase.Outcome) -> Bool {
    switch (a, b) {
    case let (.measures(ta, va), .measures(tb, vb)):
        return ta == tb && va.count == vb.count && zip(va, vb).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    default:
        return a == b
    }
}

@Suite("Measures decoder: Gnocchi's MeasuresListSchema on raw bytes")
struct MeasuresDecoderTests {
    static let t20150306: Int64 = 1_425_652_437 * 1_000_000_000  // 2015-03-06T14:33:57Z

    static let listCases: [DecoderCase] = [
        // Accepted forms (G).
        .ok(#"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}]"#, [t20150306], [43.1]),
        .ok(#"[{"timestamp": "2015-03-06T14:33:57Z", "value": 1}, {"timestamp": "2015-03-06T15:33:57+01:00", "value": 2}]"#,
            [t20150306, t20150306], [1, 2]),
        .ok(#"[{"timestamp": "2015-03-06T14:33:57.123456789", "value": 1}]"#, [t20150306 + 123_456_789], [1]),
        .ok(#"[{"timestamp": "2015-03-06 14:33", "value": 1}]"#, [t20150306 - 57 * second], [1]),
        .ok(#"[{"timestamp": 1425652437, "value": "12"}, {"timestamp": "1425652437", "value": " 1_0.5 "}]"#,
            [t20150306, t20150306], [12, 10.5]),
        .ok(#"[{"timestamp": 1425652437.5, "value": 1}]"#, [t20150306 + second / 2], [1]),
        .ok(#"[{"timestamp": true, "value": 1}]"#, [second], [1]),
        .ok(#"[{"timestamp": "1_000", "value": 1}]"#, [1000 * second], [1]),
        .ok(#"[{"timestamp": 5, "value": true}, {"timestamp": 6, "value": false}]"#, [5 * second, 6 * second], [1, 0]),
        .ok(#"[{"timestamp": 1, "value": NaN}, {"timestamp": 2, "value": -Infinity}, {"timestamp": 3, "value": "inf"}]"#,
            [second, 2 * second, 3 * second], [.nan, -.infinity, .infinity]),
        .ok(#"[{"timestamp": 1, "value": 1e400}, {"timestamp": 2, "value": 123456789012345678901234567890}]"#,
            [second, 2 * second], [.infinity, 1.2345678901234568e29]),
        .ok(#"[{"timestamp": 1, "value": -0}, {"timestamp": 2, "value": 01}, {"timestamp": 3, "value": 1.}]"#,
            [second, 2 * second, 3 * second], [0, 1, 1]),
        .ok(#"[{"timest\u0061mp": "2015-03-06T14:33:57Z", "value": "12.5", "extra": [1, {"a": null}]}]"#, [t20150306], [12.5]),
        .ok(#"[{"timestamp": 1, "timestamp": 2, "value": 3}]"#, [2 * second], [3]),
        .ok(#"[{"timestamp": "-5 minutes", "value": 1}, {"timestamp": 30, "value": 2}, {"timestamp": true, "value": 3}]"#,
            [decoderNow - 300 * second, decoderNow + 30 * second, decoderNow + second], [1, 2, 3]),
        .ok(#"[{"timestamp": "now", "value": 1}, {"timestamp": "2015-03-06T14:33:57", "value": 2}]"#, [decoderNow, t20150306], [1, 2]),
        .ok(#"[{"timestamp": "2015-01-01", "value": 1}, {"timestamp": "2015", "value": 2}]"#,
            [1_420_070_400 * second, 1_420_070_400 * second], [1, 2]),
        .ok("[]", [], []),
        .ok("{}", [], []),
        .ok(#""""#, [], []),
        .ok(" [ ] \n", [], []),
        // Refused, as Gnocchi words it (G).
        .invalid(#"[{"timestamp": "1915-03-06T14:33:57", "value": 43.1}]"#, "unexpected timestamp 'Timestamp must be after Epoch'"),
        .invalid(#"[{"timestamp": -1, "value": 1}]"#, "unexpected timestamp 'Timestamp must be after Epoch'"),
        .invalid(#"[{"timestamp": "3000-01-01", "value": 1}]"#, "unexpected timestamp 'Timestamp must be after Epoch'"),
        .invalid(#"[{"timestamp": "1915-100-06T14:33:57", "value": 43.1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": "yesterday-ish", "value": 1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": 1478012832, "value": 1}, {"timestamp": "-5 minutes", "value": 1}]"#,
                 "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": "-5 minutes", "value": 1}, {"timestamp": "now", "value": 1}]"#,
                 "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": 5, "value": 1}, {"timestamp": [1], "value": 1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": 5, "value": 1}, {"timestamp": {}, "value": 1}]"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": "-5 minutes", "value": 1}, {"timestamp": [1], "value": 1}]"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": "2015-01-01", "value": 1}, {"timestamp": -5, "value": 1}]"#,
                 "unexpected timestamp 'Timestamp must be after Epoch'"),
        .invalid(#"[{"timestamp": -1, "value": "x"}, {"timestamp": "abc", "value": 1}]"#,
                 "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": -1, "value": "x"}]"#, "unexpected timestamp 'Timestamp must be after Epoch'"),
        .invalid(#"[{"timestamp": null, "value": 1}]"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": [1], "value": 1}]"#, "unexpected measures format"),
        .invalid(#"[[ "2015-03-06T14:33:57", 43.1], [ "2015-03-06T14:34:12", 12]]"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": 1, "value": 1}, 1]"#, "unexpected measures format"),
        .invalid("1", "unexpected measures format"),
        .invalid("null", "unexpected measures format"),
        .invalid(#""x""#, "unexpected measures format"),
        .invalid(#"{"timestamp": 1, "value": 2}"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": "2015-03-06T14:33:57", "value": "foobar"}]"#, "unexpected measures value"),
        .invalid(#"[{"timestamp": "2015-03-06T14:33:57", "value": null}]"#, "unexpected measures value"),
        .invalid(#"[{"timestamp": "2015-03-06T14:33:57"}]"#, "unexpected measures value"),
        .invalid(#"[{"timestamp": 1, "value": "1__0"}]"#, "unexpected measures value"),
        .invalid(#"[{"timestamp": 1, "value": "0x10"}]"#, "unexpected measures value"),
        .invalid(#"[{"timestamp": 1, "value": [1]}]"#, "unexpected measures value"),
        // Deviations: Gnocchi answers 500 (KeyError) or stores NaT; Stratus refuses.
        .invalid(#"[{"value": 1}]"#, "unexpected measures format"),
        .invalid(#"[{"timestamp": 5, "value": 1}, {"timestamp": null, "value": 1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": "nan", "value": 1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": 1e300, "value": 1}]"#, "unexpected timestamp 'Unable to convert timestamps'"),
        .invalid(#"[{"timestamp": "2015-01-01", "value": 1}, {"timestamp": 5, "value": 1}]"#,
                 "unexpected timestamp 'Unable to convert timestamps'"),
        // A NaT timestamp is reported only when Gnocchi finds nothing else (G: the value error wins).
        .invalid(#"[{"timestamp": 5, "value": 1}, {"timestamp": null, "value": "x"}]"#, "unexpected measures value"),
        // Not JSON: ujson's wording (G).
        .undecodable("", "Expected object or value"),
        .undecodable("  ", "Expected object or value"),
        .undecodable(#"[{"timestamp": "#, "Expected object or value"),
        .undecodable("[1,]", "Expected object or value"),
        .undecodable("[] x", "Trailing data"),
        .undecodable("[1 2]", "Unexpected character found when decoding array value"),
        .undecodable(#"{"a" 1}"#, "No ':' found when decoding object value"),
        .undecodable("{1:2}", "Key name of object must be 'string' when decoding 'object'"),
        .undecodable(#"["\x"]"#, "Unrecognized escape sequence when decoding 'string'"),
        .undecodable(#"["\u12"]"#, "Unexpected character in unicode escape sequence when decoding 'string'"),
        .undecodable(#"["abc"#, "Unmatched '\"' when decoding 'string'"),
        .undecodable("[tru]", "Unexpected character found when decoding 'true'"),
        .undecodable("[nan]", "Unexpected character found when decoding 'null'"),
    ]

    @Test(arguments: listCases)
    func decodesListsAsGnocchi(_ testCase: DecoderCase) {
        let outcome = decode(testCase.body)
        #expect(same(outcome, testCase.outcome), "got \(outcome)")
    }

    @Test func syntaxErrorsWinOverValidationErrors() {
        #expect(decode(#"[{"timestamp": -1, "value": "x"}] ]"#) == .undecodable("Trailing data"))
        #expect(decode(#"[1, {"timestamp": 1, "value": 2},"#) == .undecodable("Expected object or value"))
    }

    @Test func refusesInvalidUTF8AndNULInStrings() {
        #expect(decode([UInt8(ascii: "["), UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\""), UInt8(ascii: "]")])
            == .undecodable("Invalid UTF-8 sequence length when decoding 'string'"))
        #expect(decode([UInt8(ascii: "["), UInt8(ascii: "\""), 0x00, UInt8(ascii: "\""), UInt8(ascii: "]")])
            == .undecodable("Unmatched '\"' when decoding 'string'"))
        // Other control characters are accepted, as ujson does.
        #expect(decode(Array("[{\"timestamp\": 1, \"value\": 2, \"x\": \"a\tb\"}]".utf8)) == .measures([second], [2]))
    }

    @Test func refusesNestingBeyondTheLimitWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(decode(deep) == .undecodable("Reached object decoding depth limit"))
        let deepInMeasure = #"[{"timestamp": 1, "value": 1, "x": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}]"
        #expect(decode(deepInMeasure) == .undecodable("Reached object decoding depth limit"))
    }

    // MARK: - Batches

    @Test func batchKeysAreReadAsPythonUUIDsAndTheLastSpellingWins() throws {
        let batch = try decodeBatch(#"""
            {"37AEC8B7-C0D9-445B-8AB9-D3C6312DCF5C": [{"timestamp": 1, "value": 1}],
             "urn:uuid:{37aec8b7c0d9445b8ab9d3c6312dcf5d}": [],
             "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c": [{"timestamp": 2, "value": 2}]}
            """#)
        #expect(batch.map { PythonUUID.string($0.id) } == [
            "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c", "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5d",
        ])
        #expect(batch[0].measures == PendingMeasures(timestamps: [2 * second], values: [2]))
        #expect(batch[1].measures.isEmpty)
    }

    @Test func batchErrorsNameTheFirstBadKeyAsVoluptuous() {
        let id = "00000000-0000-4000-8000-00000000dead"
        func failure(_ text: String) -> MeasuresDecoder.Failure? {
            do {
                _ = try decodeBatch(text)
                return nil
            } catch {
                return error
            }
        }
        // (G) for each.
        #expect(failure(#"{"bad": [], "\#(id)": 5}"#)
            == .init(kind: .invalid, reason: "not a valid value @ data['bad']", path: ["bad"]))
        #expect(failure(#"{"\#(id)": 5, "bad": []}"#)
            == .init(kind: .invalid, reason: "unexpected measures format for dictionary value @ data['\(id)']", path: [id]))
        #expect(failure(#"{"\#(id)": [{"timestamp": -1, "value": 1}]}"#) == .init(
            kind: .invalid, reason: "unexpected timestamp 'Timestamp must be after Epoch' for dictionary value @ data['\(id)']",
            path: [id]))
        #expect(failure("[]") == .init(kind: .invalid, reason: "expected a dictionary"))
        #expect(failure("5") == .init(kind: .invalid, reason: "expected a dictionary"))
        #expect(failure("{]") == .init(kind: .undecodable, reason: "Expected object or value"))
        // A key repeated keeps its first position and its last value.
        #expect(failure(#"{"\#(id)": 1, "x": [], "\#(id)": []}"#)
            == .init(kind: .invalid, reason: "not a valid value @ data['x']", path: ["x"]))
        // Keys are quoted as Python's repr.
        #expect(failure(#"{"it's": []}"#)?.reason == #"not a valid value @ data["it's"]"#)
    }

    @Test func emptyBatchIsAccepted() throws {
        #expect(try decodeBatch(" {} ").isEmpty)
    }

    // MARK: - Properties

    /// A small deterministic generator (SplitMix64), so failures replay.
    typealias SeededGenerator = SplitMix64

    @Test(arguments: 0..<8)
    func roundTripsGeneratedMeasures(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        for _ in 0..<200 {
            let count = Int.random(in: 0...50, using: &random)
            var timestamps: [Int64] = []
            var values: [Double] = []
            var items: [String] = []
            let iso = Bool.random(using: &random)
            for _ in 0..<count {
                let nanoseconds = Int64.random(in: 0...4_102_444_800_000_000_000, using: &random)
                let microseconds = nanoseconds / 1000 * 1000
                let value = Double(bitPattern: random.next())
                guard value.isFinite else { continue }
                let timestamp: String
                if iso {
                    timestamp = "\"" + Timestamps.format(microseconds) + "\""
                    timestamps.append(microseconds)
                } else {
                    let seconds = microseconds / second
                    let fraction = microseconds % second / 1000
                    timestamp = "\(seconds)." + String(String(fraction + 1_000_000).dropFirst())
                    timestamps.append(microseconds)
                }
                values.append(value)
                let valueText = Bool.random(using: &random) ? "\(value)" : "\"\(value)\""
                items.append(#"{"value": \#(valueText), "timestamp": \#(timestamp)}"#)
            }
            let body = "[" + items.joined(separator: Bool.random(using: &random) ? "," : " ,\n ") + "]"
            #expect(decode(body) == .measures(timestamps, values), "\(body)")
        }
    }

    @Test(arguments: 0..<8)
    func neverCrashesOnRandomBytes(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        let alphabet = Array(#"[]{}",:0123456789.-+eE tnfrulsaNIy\"u"#.utf8) + [0, 0x0A, 0xC3, 0xFF]
        for _ in 0..<2000 {
            let length = Int.random(in: 0...64, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            _ = decode(bytes)
            _ = bytes.withUnsafeBufferPointer { try? MeasuresDecoder.decodeBatch($0, now: decoderNow) }
        }
    }

    @Test(arguments: 0..<8)
    func neverCrashesOnMutatedValidBodies(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        let valid = Array(#"{"6c1c5ab3-0000-4000-8000-000000000001": [{"timestamp": "2015-03-06T14:33:57.5+01:00", "value": 43.1}, {"timestamp": 1425652437.25, "value": "-1e-5"}, {"timestamp": "-5 minutes", "value": true}]}"#.utf8)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(valid.randomElement(using: &random)!, at: index)
                }
                if bytes.isEmpty { break }
            }
            _ = bytes.withUnsafeBufferPointer { try? MeasuresDecoder.decodeBatch($0, now: decoderNow) }
            if let list = bytes.firstIndex(of: UInt8(ascii: "[")) { _ = decode(Array(bytes[list...])) }
        }
    }

    // MARK: - Building blocks

    @Test(arguments: [
        ("12.5", 12.5), (" 7 ", 7), ("1_0.5", 10.5), ("+3", 3), ("-.5", -0.5), ("5.", 5), ("1e5", 100_000),
        ("1E-2", 0.01), ("-inf", -Double.infinity), ("Infinity", Double.infinity), ("0.1", 0.1),
        ("123456789012345678901234567890", 1.2345678901234568e29),
    ])
    func pythonFloatAccepts(text: String, expected: Double) {
        var copy = text
        #expect(copy.withUTF8 { PythonFloat.parse($0) } == expected)
    }

    @Test(arguments: ["", " ", "abc", "1__0", "_1", "1_", "0x10", ".", "e5", "1e", "1.2.3", "--1", "in", "nan1", "1_e5"])
    func pythonFloatRefuses(text: String) {
        var copy = text
        #expect(copy.withUTF8 { PythonFloat.parse($0) } == nil)
    }

    @Test func pythonFloatReadsNaNInAnyCase() {
        var text = " NaN "
        #expect(text.withUTF8 { PythonFloat.parse($0) }?.isNaN == true)
    }

    @Test func pythonUUIDAcceptsWhatPythonAccepts() {
        let expected = UUID(uuidString: "37AEC8B7-C0D9-445B-8AB9-D3C6312DCF5C")
        for text in [
            "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c", "37AEC8B7C0D9445B8AB9D3C6312DCF5C", "{37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c}",
            "urn:uuid:37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c", "37aec8b7c0d9-445b-8ab9d3c6312dcf5c-", "{{37aec8b7c0d9445b8ab9d3c6312dcf5c}",
        ] {
            #expect(PythonUUID.parse(text) == expected, "\(text)")
        }
        for text in ["", "not-a-uuid", "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5", "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c0", "g7aec8b7c0d9445b8ab9d3c6312dcf5c"] {
            #expect(PythonUUID.parse(text) == nil, "\(text)")
        }
    }
}
