#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Sample ids as Ceilometer makes them (`uuid.uuid1()`): version-1 UUIDs from the time in 100 ns
/// steps since 1582-10-15, a clock sequence and a node chosen at random once per process (the
/// node with its multicast bit set, as RFC 4122 asks for random nodes). Strictly increasing
/// timestamps within the process, so ids never repeat; no system call per id (Foundation's
/// `UUID()` reads `/dev/urandom` for each one).
public enum SampleIdentifier {
    private static let state: Mutex<(last: UInt64, clockSequence: UInt16, node: UInt64)> = {
        var generator = SystemRandomNumberGenerator()
        let node = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF | 0x0100_0000_0000
        let sequence = UInt16(truncatingIfNeeded: generator.next() as UInt64) & 0x3FFF
        return Mutex((0, sequence, node))
    }()

    /// Offset between 1582-10-15 and 1970-01-01 in 100 ns steps.
    private static let gregorianOffset: UInt64 = 0x01B2_1DD2_1381_4000

    /// A new id, lower-case canonical text (`xxxxxxxx-xxxx-1xxx-yxxx-xxxxxxxxxxxx`).
    public static func next() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let now = UInt64(spec.tv_sec) * 10_000_000 + UInt64(spec.tv_nsec) / 100 + gregorianOffset
        let (timestamp, sequence, node) = state.withLock { state -> (UInt64, UInt16, UInt64) in
            let timestamp = now > state.last ? now : state.last + 1
            state.last = timestamp
            return (timestamp, state.clockSequence, state.node)
        }
        let timeLow = UInt32(truncatingIfNeeded: timestamp)
        let timeMid = UInt16(truncatingIfNeeded: timestamp >> 32)
        let timeHigh = UInt16(truncatingIfNeeded: timestamp >> 48) & 0x0FFF | 0x1000
        let clock = sequence | 0x8000
        return hex(UInt64(timeLow), 8) + "-" + hex(UInt64(timeMid), 4) + "-" + hex(UInt64(timeHigh), 4) + "-"
            + hex(UInt64(clock), 4) + "-" + hex(node, 12)
    }

    private static func hex(_ value: UInt64, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }
}
