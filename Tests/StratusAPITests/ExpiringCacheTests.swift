import Foundation
@testable import StratusAPI
import Testing

@Suite("Expiring cache")
struct ExpiringCacheTests {
    @Test("serves stored values until they expire")
    func expiry() async throws {
        let cache = ExpiringCache<Int, String>(timeToLive: .milliseconds(200))
        cache.store([(1, "one"), (2, "two")])
        #expect(cache.value(for: 1) == "one")
        let (found, missing) = cache.values(for: [2, 3, 1])
        #expect(found == ["two", "one"])
        #expect(missing == [3])
        try await Task.sleep(for: .milliseconds(300))
        #expect(cache.value(for: 1) == nil)
        #expect(cache.values(for: [1, 2]).missing == [1, 2])
    }

    @Test("forgets removed keys, and a zero lifetime disables it")
    func removalAndDisabled() {
        let cache = ExpiringCache<Int, String>(timeToLive: .seconds(60))
        cache.store([(1, "one")])
        cache.remove(1)
        #expect(cache.value(for: 1) == nil)
        let disabled = ExpiringCache<Int, String>(timeToLive: .zero)
        disabled.store([(1, "one")])
        #expect(disabled.value(for: 1) == nil)
        #expect(disabled.values(for: [1]).missing == [1])
    }

    @Test("stays within its capacity")
    func capacity() {
        let cache = ExpiringCache<Int, Int>(timeToLive: .seconds(60), capacity: 10)
        for key in 0..<25 { cache.store([(key, key)]) }
        let held = (0..<25).filter { cache.value(for: $0) != nil }
        #expect(held.count <= 10)
        #expect(cache.value(for: 24) == 24)
    }
}
