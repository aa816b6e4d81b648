import Foundation
import StratusCore
@testable import StratusPolling
import Testing

@Suite("notifier:// URL, hash ring and spool")
struct NotifierTransportUnitTests {
    @Test func urlsNameAgentsAndSpoolOptions() throws {
        let url = try NotifierURL("notifier://10.0.0.1:9000,ctl2,[::1]:8046?spool_dir=/var/spool/x&spool_max_bytes=1024&timeout=2.5")
        #expect(url.endpoints.map(\.description) == ["10.0.0.1:9000", "ctl2:8045", "[::1]:8046"])
        #expect(url.spoolDirectory == "/var/spool/x")
        #expect(url.spoolMaxBytes == 1024)
        #expect(url.timeout == 2.5)
        #expect(try NotifierURL("notifier://h", defaultSpoolDirectory: "/d").spoolDirectory == "/d")
        for bad in ["notifier://", "notifier://h:0", "notifier://h:x", "notifier://a,a", "notifier://h?colour=red", "notifier://h?timeout=0"] {
            #expect(throws: PublisherError.self, "\(bad)") { try NotifierURL(bad) }
        }
    }

    @Test func theRingIsStableSpreadsKeysAndMovesFewWhenAnAgentIsAdded() {
        let two = HashRing(["a:1", "b:1"]) { $0 }
        let three = HashRing(["a:1", "b:1", "c:1"]) { $0 }
        let keys = (0..<3000).map { "resource-\($0)" }
        // Same answer every time (and in every process: the hash is not Swift's seeded Hasher).
        #expect(keys.map(two.node(for:)) == keys.map(two.node(for:)))
        let counts = Dictionary(grouping: keys, by: three.node(for:)).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 > 700 && $0 < 1300 }, "\(counts)")
        let moved = keys.filter { two.node(for: $0) != three.node(for: $0) }
        #expect(moved.allSatisfy { three.node(for: $0) == "c:1" }, "only keys taken by the new agent move")
        #expect(moved.count < 1300)
    }

    @Test func theHashDoesNotDependOnTheProcess() {
        // FNV-1a + splitmix64 of "" and of "a", computed by hand from the constants.
        #expect(HashRing<String>.hash("") == Self.reference(""))
        #expect(HashRing<String>.hash("abc") == Self.reference("abc"))
    }

    static func reference(_ text: String) -> UInt64 {
        var value: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 1_099_511_628_211 }
        value = (value ^ (value >> 30)) &* 13_787_848_793_156_543_929
        value = (value ^ (value >> 27)) &* 10_723_151_780_598_845_931
        return value ^ (value >> 31)
    }

    @Test func theSpoolIsBoundedDropsTheOldestAndSurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var spool = try NotificationSpool(directory: directory, maxBytes: 30)
        #expect(try spool.append(Array("[1111111111]".utf8), samples: 1) == 0)  // 12 bytes
        #expect(try spool.append(Array("[2222222222]".utf8), samples: 2) == 0)  // 24
        #expect(try spool.append(Array("[3333333333]".utf8), samples: 3) == 1)  // the first goes
        #expect(spool.droppedSamples == 1)
        #expect(try spool.append(Array(repeating: UInt8(ascii: "x"), count: 31), samples: 7) == 7)  // larger than the bound
        #expect(spool.samples == 5)

        var reopened = try NotificationSpool(directory: directory, maxBytes: 30)
        #expect(reopened.samples == 5)
        #expect(reopened.oldest().map { String(decoding: $0.body, as: UTF8.self) } == "[2222222222]")
        reopened.removeOldest()
        #expect(reopened.oldest()?.samples == 3)
        #expect(try reopened.append(Array("[4]".utf8), samples: 4) == 0)
        reopened.removeOldest()
        #expect(reopened.oldest().map { String(decoding: $0.body, as: UTF8.self) } == "[4]")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 1)
    }

    @Test func aMemorySpoolHasTheSameRules() throws {
        var spool = try NotificationSpool(directory: nil, maxBytes: 10)
        #expect(try spool.append(Array("123456".utf8), samples: 1) == 0)
        #expect(try spool.append(Array("7890".utf8), samples: 2) == 0)
        #expect(try spool.append(Array("ab".utf8), samples: 3) == 1)
        #expect(spool.oldest()?.samples == 2)
    }
}
