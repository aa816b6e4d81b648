import Foundation

/// Sack arithmetic and naming shared by the incoming drivers, identical to Gnocchi's.
public enum IncomingSacks {
    /// The number of sacks `stratus upgrade` creates unless told otherwise (Gnocchi's default).
    public static let defaultCount = 128
    /// The allowed numbers of sacks.
    public static let validCounts: ClosedRange<Int> = 1...65535

    /// The sack of a metric: its id read as a 128-bit big-endian integer, modulo `sackCount`
    /// (Gnocchi's `metric.id.int % NUM_SACKS`).
    public static func sack(of metric: UUID, sackCount: Int) -> Int {
        precondition(sackCount > 0, "sackCount must be positive")
        return withUnsafeBytes(of: metric.uuid) { bytes in
            var remainder = 0
            for byte in bytes {
                remainder = (remainder << 8 | Int(byte)) % sackCount
            }
            return remainder
        }
    }

    /// The name of a sack as Gnocchi writes it: `incoming{total}-{number}`.
    public static func name(of sack: Int, sackCount: Int) -> String {
        "incoming\(sackCount)-\(sack)"
    }

    /// Checks that a number of sacks is allowed.
    /// - Throws: ``IncomingError`` with code `invalidSackCount` otherwise.
    public static func validate(sackCount: Int) throws {
        guard self.validCounts.contains(sackCount) else {
            throw IncomingError(
                code: .invalidSackCount,
                message: "The number of sacks must be between \(self.validCounts.lowerBound) and \(self.validCounts.upperBound), not \(sackCount)"
            )
        }
    }
}
