/// A five-field cron expression as croniter reads it (`minute hour day-of-month month
/// day-of-week`), or one of `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, and month /
/// weekday names (`jan`, `mon`). Day of week 0–7, both 0 and 7 Sunday. When both day of month
/// and day of week are restricted, a day matching either counts (Vixie cron, croniter).
public struct CronExpression: Sendable, Hashable {
    /// The expression as written.
    public var text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `text`.
    /// - Throws: `AlarmValidationError` naming the expression and what is wrong with it.
    public init(_ text: String) throws(AlarmValidationError) {
        self.text = text
        var source = text.trimmingCharacters(in: .whitespaces)
        let aliases = [
            "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
            "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
        ]
        if let alias = aliases[source.lowercased()] { source = alias }
        let fields = source.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw AlarmValidationError("invalid cron expression \(text): expected 5 fields, got \(fields.count)")
        }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        minutes = try Self.field(fields[0], 0...59, names: [:], expression: text)
        hours = try Self.field(fields[1], 0...23, names: [:], expression: text)
        daysOfMonth = try Self.field(fields[2], 1...31, names: [:], expression: text)
        months = try Self.field(
            fields[3], 1...12,
            names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }), expression: text)
        let weekdays = try Self.field(
            fields[4], 0...7, names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }),
            expression: text)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        // croniter: a field other than a bare `*` restricts (`*/2` does).
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func field(
        _ text: String, _ bounds: ClosedRange<Int>, names: [String: Int], expression: String
    ) throws(AlarmValidationError) -> Set<Int> {
        func bad(_ why: String) -> AlarmValidationError {
            AlarmValidationError("invalid cron expression \(expression): \(why)")
        }
        func number(_ part: Substring) throws(AlarmValidationError) -> Int {
            if let value = Int(part) {
                guard bounds.contains(value) else {
                    throw bad("\(value) is outside \(bounds.lowerBound)-\(bounds.upperBound)")
                }
                return value
            }
            if let value = names[part.lowercased()] { return value }
            throw bad("'\(part)' is not a number")
        }
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw bad("empty list item in '\(text)'") }
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw bad("'\(item)' has more than one step") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value >= 1 else { throw bad("step '\(pieces[1])' must be a positive number") }
                step = value
            }
            let range = pieces[0]
            var low: Int
            var high: Int
            if range == "*" {
                low = bounds.lowerBound
                high = bounds.upperBound
            } else if let dash = range.firstIndex(of: "-") {
                low = try number(range[..<dash])
                high = try number(range[range.index(after: dash)...])
                guard low <= high else { throw bad("range '\(range)' is reversed") }
            } else {
                low = try number(range)
                high = pieces.count == 2 ? bounds.upperBound : low
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// Whether a day (month 1–12, day 1–31, weekday 0 = Sunday) can hold a start.
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let byDay = daysOfMonth.contains(day)
        let byWeekday = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return byDay || byWeekday }
        return byDay && byWeekday
    }

    /// Whether a time of day can hold a start.
    func matchesTime(hour: Int, minute: Int) -> Bool {
        hours.contains(hour) && minutes.contains(minute)
    }

    /// The latest start time of the day at or before `hour:minute` (all of the day when nil).
    func latestTime(atOrBefore limit: (hour: Int, minute: Int)?) -> (hour: Int, minute: Int)? {
        for hour in hours.sorted(by: >) {
            if let limit, hour > limit.hour { continue }
            for minute in minutes.sorted(by: >) {
                if let limit, hour == limit.hour, minute > limit.minute { continue }
                return (hour, minute)
            }
        }
        return nil
    }
}
