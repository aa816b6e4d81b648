import StratusCore

/// Calendar periods a series can be resampled to, in UTC (Gnocchi's `calendar.GROUPINGS`).
public enum CalendarGroup: String, Sendable, CaseIterable {
    /// Year, stamped January 1st.
    case year = "Y"
    /// Half year, stamped January 1st or July 1st.
    case half = "H"
    /// Quarter, stamped on its first month's 1st.
    case quarter = "Q"
    /// Month, stamped on the 1st.
    case month = "M"
    /// Week starting on Sunday, stamped on that Sunday.
    case week = "W"

    private static let dayNanoseconds: Int64 = 86_400_000_000_000

    /// The leading date (midnight UTC, nanoseconds) of the period containing `timestamp`.
    public func periodStart(of timestamp: Int64) -> Int64 {
        let day = floorDiv(timestamp, Self.dayNanoseconds)
        switch self {
        case .week:
            // numpy: (date + 4 days) floored to weeks since the epoch (a Thursday), minus 4 days.
            return (floorDiv(day + 4, 7) * 7 - 4) * Self.dayNanoseconds
        case .year, .half, .quarter, .month:
            let (year, month, _) = Timestamps.civil(fromDays: day)
            let months: Int64 = switch self {
            case .year: 12
            case .half: 6
            case .quarter: 3
            default: 1
            }
            let firstMonth = ((month - 1) / months) * months + 1
            return Timestamps.days(fromCivil: year, firstMonth, 1) * Self.dayNanoseconds
        }
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
