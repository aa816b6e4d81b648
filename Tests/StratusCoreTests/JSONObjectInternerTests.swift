import StratusCore
import Testing

@Suite("JSON object interning")
struct JSONObjectInternerTests {
    /// Whether two dictionaries share their storage (a dictionary is one reference).
    static func sameStorage(_ a: [String: TelemetryValue], _ b: [String: TelemetryValue]) -> Bool {
        withUnsafeBytes(of: a) { a in withUnsafeBytes(of: b) { b in a.elementsEqual(b) } }
    }

    static func metadata(of message: TelemetryValue) -> [String: TelemetryValue]? {
        guard case .dictionary(let fields) = message, case .dictionary(let metadata)? = fields["resource_metadata"] else { return nil }
        return metadata
    }

    @Test("equal metadata texts decode to one shared dictionary, equal to what plain decoding gives")
    func equalTextsShareTheirValue() throws {
        let interner = JSONObjectInterner()
        let text = #"[{"resource_id":"a","resource_metadata":{"host":"h1","flavor":{"name":"m1.small","ram":2048},"tags":["x","y"]}},"#
            + #"{"resource_id":"b","resource_metadata":{"host":"h1","flavor":{"name":"m1.small","ram":2048},"tags":["x","y"]}},"#
            + #"{"resource_id":"c","resource_metadata":{"host":"h2"}}]"#
        let interned = try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner)
        let plain = try TelemetryJSON.decode(text)
        #expect(interned == plain)
        guard case .list(let messages) = interned, messages.count == 3,
              let a = Self.metadata(of: messages[0]), let b = Self.metadata(of: messages[1]), let c = Self.metadata(of: messages[2])
        else {
            Issue.record("three messages with metadata expected")
            return
        }
        #expect(Self.sameStorage(a, b))
        #expect(!Self.sameStorage(a, c))
        // A later body finds the same value.
        let again = try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner)
        guard case .list(let later) = again, let first = Self.metadata(of: later[0]) else {
            Issue.record("a list expected")
            return
        }
        #expect(Self.sameStorage(first, a))
        let statistics = interner.statistics
        #expect(statistics.count == 2)
        #expect(statistics.misses == 2)
        #expect(statistics.hits == 4)
    }

    @Test("texts that differ only in escapes, spacing or one byte are not mixed up")
    func differentTextsGetTheirOwnValue() throws {
        let interner = JSONObjectInterner()
        let variants = [
            #"{"resource_metadata":{"name":"a\"b"}}"#, #"{"resource_metadata":{"name":"a\\b"}}"#,
            #"{"resource_metadata":{"name":"a\u0062"}}"#, #"{"resource_metadata":{"name":"ab"}}"#,
            #"{"resource_metadata":{ "name":"ab"}}"#, #"{"resource_metadata":{"name":"ac"}}"#,
            #"{"resource_metadata":{"name":"}"}}"#, #"{"resource_metadata":{"name":"]{"}}"#,
            #"{"resource_metadata":{"n":[1,{"x":"}"}]}}"#, #"{"resource_metadata":{}}"#,
        ]
        for _ in 0..<2 {
            for text in variants {
                #expect(try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner) == TelemetryJSON.decode(text), "\(text)")
            }
        }
    }

    @Test("random documents decode the same with and without an interner")
    func randomDocumentsDecodeAlike() throws {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let strings = ["a", "b", "\"q\"", "back\\slash", "}", "{", "]", "ü", "line\nbreak", ""]
        func value(_ depth: Int) -> TelemetryValue {
            switch next(depth > 2 ? 4 : 7) {
            case 0: return .int(Int64(next(1000)) - 500)
            case 1: return .double(Double(next(1000)) / 8)
            case 2: return .string(strings[next(strings.count)])
            case 3: return next(2) == 0 ? .null : .bool(next(2) == 0)
            case 4: return .list((0..<next(3)).map { _ in value(depth + 1) })
            default:
                var entries: [String: TelemetryValue] = [:]
                for _ in 0..<next(4) { entries[strings[next(strings.count)]] = value(depth + 1) }
                if next(3) == 0 { entries["resource_metadata"] = value(depth + 1) }
                return .dictionary(entries)
            }
        }
        let interner = JSONObjectInterner(capacity: 8)
        for _ in 0..<500 {
            let messages: TelemetryValue = .list((0..<next(5)).map { _ in
                .dictionary(["resource_metadata": value(1), "resource_id": .string(strings[next(strings.count)])])
            })
            let text = TelemetryJSON.encode(messages)
            #expect(try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner) == TelemetryJSON.decode(text), "\(text)")
        }
        #expect(interner.statistics.count <= 16)
        #expect(interner.statistics.hits > 0)
    }

    @Test("malformed objects are reported as without an interner, and never kept")
    func malformedObjectsFailAlike() {
        let interner = JSONObjectInterner()
        for text in [#"{"resource_metadata":{"a":}}"#, #"{"resource_metadata":{"a":1"#, #"{"resource_metadata":{"a":"x}}"#, #"{"resource_metadata":{"a" 1}}"#] {
            var plainError: TelemetryJSON.DecodingError?
            var internedError: TelemetryJSON.DecodingError?
            do { _ = try TelemetryJSON.decode(text) } catch { plainError = error }
            do { _ = try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner) } catch { internedError = error }
            #expect(plainError != nil, "\(text)")
            #expect(internedError == plainError, "\(text)")
        }
        #expect(interner.statistics.count == 0)
    }

    @Test("the table is bounded, and objects over maximumBytes are not kept")
    func boundedAndSizeLimited() throws {
        let interner = JSONObjectInterner(capacity: 2, maximumBytes: 40)
        for index in 0..<10 {
            _ = try TelemetryJSON.decode(bytes: Array(#"{"resource_metadata":{"n":\#(index)}}"#.utf8), interning: interner)
        }
        #expect(interner.statistics.count <= 4)
        let long = #"{"resource_metadata":{"text":"\#(String(repeating: "x", count: 64))"}}"#
        _ = try TelemetryJSON.decode(bytes: Array(long.utf8), interning: interner)
        _ = try TelemetryJSON.decode(bytes: Array(long.utf8), interning: interner)
        #expect(interner.statistics.count <= 4)
        let before = interner.statistics.hits
        _ = try TelemetryJSON.decode(bytes: Array(#"{"resource_metadata":{"n":9}}"#.utf8), interning: interner)
        #expect(interner.statistics.hits == before + 1)
    }

    @Test("only the interner's key is interned")
    func otherKeysAreDecodedAfresh() throws {
        let interner = JSONObjectInterner(key: "meta")
        let text = #"[{"meta":{"a":1},"resource_metadata":{"a":1}},{"meta":{"a":1},"resource_metadata":{"a":1}}]"#
        let value = try TelemetryJSON.decode(bytes: Array(text.utf8), interning: interner)
        #expect(value == (try TelemetryJSON.decode(text)))
        #expect(interner.statistics.count == 1)
        #expect(interner.statistics.hits == 1)
    }
}
