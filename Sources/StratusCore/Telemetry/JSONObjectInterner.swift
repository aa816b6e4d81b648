#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Decoded JSON objects kept by their text, so that an object whose text was seen before decodes
/// to the same value, sharing its storage. Only the values of one key are interned
/// (`resource_metadata` by default), wherever that key appears.
///
/// A polling agent sends a resource's metadata unchanged poll after poll, for each of its meters.
/// Decoded with an interner, those samples share one dictionary: it is parsed once, it costs one
/// reference count per sample instead of a dozen allocations, and comparing it with itself (the
/// Gnocchi publisher's "did the attributes change") is a pointer comparison.
///
/// The table is bounded: two generations of `capacity` objects each, approximating
/// least-recently-used eviction (when the current generation is full it becomes the previous one
/// and the older one is forgotten). Objects longer than `maximumBytes` are never kept. An entry
/// is found by a 64-bit hash of the text and then compared byte for byte, so two different texts
/// never share a value. Safe to use from several threads (one lock around the table).
public final class JSONObjectInterner: Sendable {
    /// The key whose object values are interned.
    public let key: String
    /// Objects per generation.
    public let capacity: Int
    /// The longest object text kept, in bytes.
    public let maximumBytes: Int

    private struct Entry {
        var text: [UInt8]
        var value: [String: TelemetryValue]
    }

    private struct Table {
        var current: [UInt64: Entry] = [:]
        var previous: [UInt64: Entry] = [:]
        var hits = 0
        var misses = 0
    }

    private let table = Mutex(Table())

    /// Creates an empty interner.
    /// - Parameters:
    ///   - key: The key whose object values are interned.
    ///   - capacity: Objects per generation (at most twice as many are held).
    ///   - maximumBytes: Longer objects are decoded every time and not kept.
    public init(key: String = "resource_metadata", capacity: Int = 4096, maximumBytes: Int = 4096) {
        self.key = key
        self.capacity = max(1, capacity)
        self.maximumBytes = maximumBytes
    }

    /// Objects held, and how many lookups found one or not.
    public var statistics: (count: Int, hits: Int, misses: Int) {
        table.withLock { ($0.current.count + $0.previous.count, $0.hits, $0.misses) }
    }

    /// The value decoded earlier from exactly `text`, if held.
    func value(of text: UnsafeBufferPointer<UInt8>, hash: UInt64) -> [String: TelemetryValue]? {
        table.withLock { table in
            if let entry = table.current[hash], Self.equal(entry.text, text) {
                table.hits += 1
                return entry.value
            }
            if let entry = table.previous[hash], Self.equal(entry.text, text) {
                table.hits += 1
                Self.insert(entry, hash: hash, into: &table, capacity: capacity)
                return entry.value
            }
            table.misses += 1
            return nil
        }
    }

    /// Keeps `value` as the decoding of `text`.
    func keep(_ value: [String: TelemetryValue], of text: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        let entry = Entry(text: Array(text), value: value)
        table.withLock { Self.insert(entry, hash: hash, into: &$0, capacity: capacity) }
    }

    private static func insert(_ entry: Entry, hash: UInt64, into table: inout Table, capacity: Int) {
        if table.current[hash] == nil, table.current.count >= capacity {
            table.previous = table.current
            table.current = [:]
        }
        table.current[hash] = entry
    }

    private static func equal(_ kept: [UInt8], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard kept.count == text.count else { return false }
        return kept.withUnsafeBufferPointer { kept in
            guard let a = kept.baseAddress, let b = text.baseAddress else { return kept.count == 0 }
            return memcmp(a, b, kept.count) == 0
        }
    }

    /// A 64-bit hash of the text, eight bytes at a time (collisions only cost a byte comparison).
    static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(text)
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 32)
    }
}
