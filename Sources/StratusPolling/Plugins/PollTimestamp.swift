import StratusCore

/// Poll timestamps as Ceilometer writes them: `timeutils.utcnow().isoformat()`, UTC without an
/// offset, microseconds when not zero (`2026-11-25T14:40:11.123456`).
public enum PollTimestamp {
    /// The timestamp text of `nanoseconds` since the epoch, truncated to microseconds.
    public static func isoformat(nanoseconds: Int64) -> String {
        let micros = nanoseconds - ((nanoseconds % 1000) + 1000) % 1000
        var text = Timestamps.format(micros)
        if text.hasSuffix("+00:00") { text.removeLast(6) }
        return text
    }
}
