import Foundation
@testable import StratusStorage
import StratusTesting
import Testing

@Suite("Pack cache")
struct PackCacheTests {
    static func identity(inode: UInt64 = 1, size: Int64 = 100, modified: Int64 = 0) -> PackCache.FileIdentity {
        PackCache.FileIdentity(device: 1, inode: inode, size: size, modified: modified, changed: modified)
    }

    static let contents = SackContents(metrics: [UUID(): [1, 2, 3]])

    @Test func servesOnlyTheSameSettledFileVersion() {
        let cache = PackCache(capacityBytes: 1_000, settledAge: 1_000)
        let settled = Self.identity(modified: 0)
        cache.store(sack: 3, identity: settled, contents: Self.contents, now: 5_000)
        #expect(cache.contents(sack: 3, identity: settled)?.metrics == Self.contents.metrics)
        #expect(cache.contents(sack: 3, identity: Self.identity(inode: 2)) == nil)
        #expect(cache.contents(sack: 3, identity: Self.identity(modified: 1)) == nil)
        #expect(cache.contents(sack: 4, identity: settled) == nil)
        cache.remove(sack: 3)
        #expect(cache.contents(sack: 3, identity: settled) == nil)
        // Modified less than `settledAge` before the read: not kept.
        let fresh = Self.identity(modified: 4_500)
        cache.store(sack: 3, identity: fresh, contents: Self.contents, now: 5_000)
        #expect(cache.contents(sack: 3, identity: fresh) == nil)
    }

    @Test func staysWithinItsCapacity() {
        let cache = PackCache(capacityBytes: 250, settledAge: 0)
        for sack in 0..<5 { cache.store(sack: sack, identity: Self.identity(size: 100), contents: Self.contents, now: 1) }
        let held = (0..<5).filter { cache.contents(sack: $0, identity: Self.identity(size: 100)) != nil }
        #expect(held.count == 2)
        #expect(held.contains(4))
    }

    @Test func aReplacedPackIsReadAgain() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-pack-cache") { temporary in
            let directory = temporary.path
            let driver = try FileStorageDriver(basePath: directory, logger: .init(label: "test"))
            let first = UUID(), second = UUID()
            try await driver.store(sack: 0, SackContents(metrics: [first: [1]]))
            // Make the pack look settled, then read it twice (the second read comes from the cache).
            let path = directory + "/sack-0.pack"
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -10)], ofItemAtPath: path)
            #expect(try await driver.load(sack: 0).metrics.keys.sorted { $0.isOrderedBefore($1) } == [first])
            #expect(try await driver.load(sack: 0).metrics.keys.sorted { $0.isOrderedBefore($1) } == [first])
            try await driver.store(sack: 0, SackContents(metrics: [second: [2]]))
            #expect(try await driver.load(sack: 0).metrics.keys.sorted { $0.isOrderedBefore($1) } == [second])
        }
    }
}
