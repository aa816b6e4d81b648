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
        let timeLow = UInt64(UInt32(truncatingIfNeeded: timestamp))
        let timeMid = UInt64(UInt16(truncatingIfNeeded: timestamp >> 32))
        let timeHigh = UInt64(UInt16(truncatingIfNeeded: timestamp >> 48) & 0x0FFF | 0x1000)
        let clock = UInt64(sequence | 0x8000)
        // 36 bytes written in place: this runs once per sample a transformer makes.
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, _ digits: Int) {
                var shift = (digits - 1) * 4
                while shift >= 0 {
                    buffer[position] = hexDigits[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                    shift -= 4
                }
            }
            put(timeLow, 8)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(timeMid, 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(timeHigh, 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(clock, 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(node, 12)
            return position
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
