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
            let (year, month, _) = CivilDate.civil(fromDays: day)
            let months: Int64 = switch self {
            case .year: 12
            case .half: 6
            case .quarter: 3
            default: 1
            }
            let firstMonth = ((month - 1) / months) * months + 1
            return CivilDate.days(year: year, month: firstMonth, day: 1) * Self.dayNanoseconds
        }
    }
}

/// Proleptic Gregorian date arithmetic on days since 1970-01-01 (Howard Hinnant's algorithms).
enum CivilDate {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
