import Foundation
import StratusCore

/// A time window in which an alarm is evaluated (reference C2, C3 step 1): it opens at each start
/// of a cron expression and lasts `duration` seconds, in a timezone.
public struct TimeConstraint: Sendable, Hashable {
    /// The constraint's name, unique within its alarm.
    public var name: String
    /// Description; default "Time constraint at <cron> lasting for <n> seconds".
    public var description: String
    /// The cron expression of the start times.
    public var start: String
    /// Seconds the window stays open after each start (≥ 0).
    public var duration: Int
    /// IANA timezone name of the cron expression; "" is UTC.
    public var timezone: String

    /// Creates a constraint; the description defaults as Aodh's.
    /// - Throws: `AlarmValidationError` for an invalid cron expression, a negative duration or an unknown timezone.
    public init(
        name: String, description: String? = nil, start: String, duration: Int, timezone: String = ""
    ) throws(AlarmValidationError) {
        _ = try CronExpression(start)
        guard duration >= 0 else { throw AlarmValidationError("duration must be at least 0, got \(duration)") }
        if !timezone.isEmpty, TimeZone(identifier: timezone) == nil {
            throw AlarmValidationError("Timezone \(timezone) is not valid")
        }
        self.name = name
        self.description = description ?? "Time constraint at \(start) lasting for \(duration) seconds"
        self.start = start
        self.duration = duration
        self.timezone = timezone
    }

    /// Parses one element of an alarm's `time_constraints`.
    /// - Throws: `AlarmValidationError` for a missing name/start/duration or an invalid value.
    public static func parse(_ value: TelemetryValue) throws(AlarmValidationError) -> TimeConstraint {
        let fields = try RuleFields(value, context: "time_constraints")
        try fields.checkKnown(["name", "description", "start", "duration", "timezone"])
        let name = try fields.requiredString("name")
        guard !name.isEmpty else { throw AlarmValidationError("time constraint name must not be empty") }
        guard fields.value("duration") != nil else { throw fields.missing("duration") }
        return try TimeConstraint(
            name: name, description: try fields.optionalString("description"),
            start: try fields.requiredString("start"),
            duration: try fields.integer("duration", default: 0, range: 0...Int.max),
            timezone: try fields.optionalString("timezone") ?? "")
    }

    /// The constraint as Aodh returns it.
    public var json: TelemetryValue {
        .dictionary([
            "name": .string(name), "description": .string(description), "start": .string(start),
            "duration": .int(Int64(duration)), "timezone": .string(timezone),
        ])
    }

    /// Whether `date` falls in the constraint (C3 step 1): within `[latest start, latest start + duration]`
    /// in the constraint's timezone, or within a minute of a start (croniter's exact-match rule).
    public func contains(_ date: Date) -> Bool {
        guard let cron = try? CronExpression(start) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = (timezone.isEmpty ? nil : TimeZone(identifier: timezone)) ?? TimeZone(identifier: "UTC")!
        // A start in the coming minute counts (croniter: |now − next start| < 60 s).
        let nextMinute = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        if nextMinute.timeIntervalSince(date) < 60, Self.matches(cron, nextMinute, calendar) { return true }
        guard let latest = Self.latestStart(cron, atOrBefore: date, calendar) else { return false }
        return date.timeIntervalSince(latest) <= Double(duration)
    }

    private static func matches(_ cron: CronExpression, _ date: Date, _ calendar: Calendar) -> Bool {
        let parts = calendar.dateComponents([.month, .day, .weekday, .hour, .minute], from: date)
        guard let month = parts.month, let day = parts.day, let weekday = parts.weekday, let hour = parts.hour,
              let minute = parts.minute else { return false }
        return cron.matchesDay(month: month, day: day, weekday: weekday - 1) && cron.matchesTime(hour: hour, minute: minute)
    }

    /// The latest start at or before `date`, searching back up to eight years (Feb 29 on a Monday).
    static func latestStart(_ cron: CronExpression, atOrBefore date: Date, _ calendar: Calendar) -> Date? {
        let today = calendar.startOfDay(for: date)
        let now = calendar.dateComponents([.hour, .minute], from: date)
        for back in 0..<(366 * 8) {
            guard let day = calendar.date(byAdding: .day, value: -back, to: today) else { return nil }
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            guard let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday,
                  cron.matchesDay(month: month, day: dayOfMonth, weekday: weekday - 1) else { continue }
            let limit = back == 0 ? (hour: now.hour ?? 23, minute: now.minute ?? 59) : nil
            guard let time = cron.latestTime(atOrBefore: limit) else { continue }
            var start = parts
            start.hour = time.hour
            start.minute = time.minute
            start.second = 0
            start.weekday = nil
            if let result = calendar.date(from: start), result <= date { return result }
        }
        return nil
    }
}
