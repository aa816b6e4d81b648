import StratusCore
import StratusTesting
import Testing
@testable import StratusPipeline

@Suite("MessagePack")
struct MsgPackTests {
    @Test(arguments: [
        (TelemetryValue.null, [0xC0]), (.bool(true), [0xC3]), (.bool(false), [0xC2]),
        (.int(0), [0x00]), (.int(127), [0x7F]), (.int(128), [0xCC, 0x80]), (.int(256), [0xCD, 0x01, 0x00]),
        (.int(65536), [0xCE, 0x00, 0x01, 0x00, 0x00]), (.int(-1), [0xFF]), (.int(-32), [0xE0]), (.int(-33), [0xD0, 0xDF]),
        (.int(-129), [0xD1, 0xFF, 0x7F]), (.int(4_294_967_296), [0xCF, 0, 0, 0, 1, 0, 0, 0, 0]),
        (.double(1.5), [0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]), (.string("ab"), [0xA2, 0x61, 0x62]),
        (.list([1, "a"]), [0x92, 0x01, 0xA1, 0x61]), (.dictionary(["b": 1, "a": 2]), [0x82, 0xA1, 0x61, 0x02, 0xA1, 0x62, 0x01]),
    ] as [(TelemetryValue, [UInt8])])
    func encodesAsPythonMsgpackWithBinType(_ value: TelemetryValue, _ expected: [UInt8]) throws {
        #expect(MsgPack.encode(value) == expected)
        #expect(try MsgPack.decode(expected) == value)
    }

    @Test func longStringsListsAndMapsUseTheWiderFormats() throws {
        let text = String(repeating: "x", count: 40)
        #expect(Array(MsgPack.encode(.string(text)).prefix(2)) == [0xD9, 40])
        #expect(Array(MsgPack.encode(.string(String(repeating: "y", count: 300))).prefix(3)) == [0xDA, 0x01, 0x2C])
        #expect(Array(MsgPack.encode(.list(Array(repeating: .null, count: 20))).prefix(3)) == [0xDC, 0x00, 0x14])
        let map = TelemetryValue.dictionary(Dictionary(uniqueKeysWithValues: (0..<17).map { ("k\($0)", TelemetryValue.int(Int64($0))) }))
        #expect(Array(MsgPack.encode(map).prefix(3)) == [0xDE, 0x00, 0x11])
        #expect(try MsgPack.topLevelKeys(MsgPack.encode(["z": 1, "a": 2, "m": 3], topLevelOrder: ["m"])) == ["m", "a", "z"])
    }

    @Test func malformedInputIsATypedError() {
        for bad: [UInt8] in [[], [0xA3, 0x61], [0x92, 0x01], [0xC1], [0x01, 0x02], [0x81, 0x01, 0x01], [0xA1, 0xFF]] {
            #expect(throws: MsgPack.DecodingError.self, "\(bad)") { try MsgPack.decode(bad) }
        }
    }

    /// SplitMix64, so that a failing case can be replayed from its seed.
    typealias SeededGenerator = SplitMix64

    static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> TelemetryValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let magnitude = [Int64(1 << 6), 1 << 8, 1 << 16, 1 << 32, Int64.max].randomElement(using: &rng)!
            return .int(Int64.random(in: -magnitude...magnitude, using: &rng))
        case 3:
            let value = Double(bitPattern: rng.next())
            return .double(value.isNaN ? 0.25 : value)
        case 4:
            let scalars = (0..<Int.random(in: 0..<70, using: &rng)).map { _ in
                Character(Unicode.Scalar([0x61, 0xE9, 0x4E2D, 0x1F600].randomElement(using: &rng)!)!)
            }
            return .string(String(scalars))
        case 5: return .list((0..<Int.random(in: 0..<20, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var entries: [String: TelemetryValue] = [:]
            for index in 0..<Int.random(in: 0..<20, using: &rng) { entries["k\(index)"] = randomValue(&rng, depth: depth + 1) }
            return .dictionary(entries)
        }
    }

    @Test func decodeInvertsEncodeForRandomValues() throws {
        for seed in UInt64(0)..<400 {
            var rng = SeededGenerator(state: seed)
            let value = Self.randomValue(&rng, depth: 0)
            let bytes = MsgPack.encode(value)
            #expect(try MsgPack.decode(bytes) == value, "seed \(seed)")
            if bytes.count > 1 {
                #expect(throws: MsgPack.DecodingError.self, "seed \(seed)") { try MsgPack.decode(Array(bytes.dropLast())) }
            }
        }
    }
}
