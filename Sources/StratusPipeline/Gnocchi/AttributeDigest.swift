import StratusCore

/// The digest the Gnocchi publisher keeps per resource to PATCH its attributes only when they
/// change. FNV-1a 64 over a value's type tag and bytes; a dictionary combines its entries'
/// digests with a sum of mixed values, so equal dictionaries give equal digests whatever their
/// iteration order, without sorting keys or writing JSON.
enum AttributeDigest {
    private static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01b3

    static func dictionary(_ entries: [String: TelemetryValue]) -> UInt64 {
        var sum: UInt64 = 0
        for (key, item) in entries {
            var state = offset
            mix(&state, tag: 7)
            mix(&state, key)
            mix(&state, word: value(item))
            sum = sum &+ finalize(state)
        }
        var state = offset
        mix(&state, tag: 6)
        mix(&state, word: sum)
        mix(&state, word: UInt64(entries.count))
        return finalize(state)
    }

    static func value(_ value: TelemetryValue) -> UInt64 {
        var state = offset
        switch value {
        case .null: mix(&state, tag: 0)
        case .bool(let flag):
            mix(&state, tag: 1)
            mix(&state, tag: flag ? 1 : 0)
        case .int(let number):
            mix(&state, tag: 2)
            mix(&state, word: UInt64(bitPattern: number))
        case .double(let number):
            mix(&state, tag: 3)
            mix(&state, word: number.bitPattern)
        case .string(let text):
            mix(&state, tag: 4)
            mix(&state, text)
        case .list(let items):
            mix(&state, tag: 5)
            for item in items { mix(&state, word: self.value(item)) }
            mix(&state, word: UInt64(items.count))
        case .dictionary(let entries):
            return dictionary(entries)
        }
        return finalize(state)
    }

    @inline(__always)
    private static func mix(_ state: inout UInt64, tag: UInt8) {
        state = (state ^ UInt64(tag)) &* prime
    }

    @inline(__always)
    private static func mix(_ state: inout UInt64, word: UInt64) {
        var word = word
        for _ in 0..<8 {
            state = (state ^ (word & 0xFF)) &* prime
            word >>= 8
        }
    }

    private static func mix(_ state: inout UInt64, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes { state = (state ^ UInt64(byte)) &* prime }
        }
        mix(&state, word: UInt64(text.utf8.count))
    }

    /// A final avalanche (splitmix64's), so that sums of digests do not cancel out simply.
    @inline(__always)
    private static func finalize(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
