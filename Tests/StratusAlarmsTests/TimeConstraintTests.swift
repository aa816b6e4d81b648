import Foundation
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct TimeConstraintTests {
    /// A UTC date from "yyyy-MM-dd HH:mm:ss".
    func date(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.date(from: text)!
    }

    @Test func parseFillsTheDefaultDescriptionAndTimezone() throws {
        let constraint = try TimeConstraint.parse(["name": "office", "start": "0 9 * * 1-5", "duration": 28800])
        #expect(constraint.description == "Time constraint at 0 9 * * 1-5 lasting for 28800 seconds")
        #expect(constraint.timezone == "")
        #expect(constraint.json == [
            "name": "office", "description": "Time constraint at 0 9 * * 1-5 lasting for 28800 seconds",
            "start": "0 9 * * 1-5", "duration": 28800, "timezone": "",
        ])
    }

    @Test(arguments: [
        (TelemetryValue.dictionary(["name": "a", "start": "61 * * * *", "duration": 1]), "invalid cron expression 61 * * * *: 61 is outside 0-59"),
        (["name": "a", "start": "* * *", "duration": 1], "invalid cron expression * * *: expected 5 fields, got 3"),
        (["name": "a", "start": "* * * * *", "duration": -1], "duration must be at least 0, got -1"),
        (["name": "a", "start": "* * * * *", "duration": 1, "timezone": "Mars/Olympus"], "Timezone Mars/Olympus is not valid"),
        (["start": "* * * * *", "duration": 1], "time_constraints: name is mandatory"),
        (["name": "a", "duration": 1], "time_constraints: start is mandatory"),
        (["name": "a", "start": "* * * * *"], "time_constraints: duration is mandatory"),
        (["name": "a", "start": "*/0 * * * *", "duration": 1], "invalid cron expression */0 * * * *: step '0' must be a positive number"),
        (["name": "a", "start": "0 9 * * fri-mon", "duration": 1], "invalid cron expression 0 9 * * fri-mon: range 'fri-mon' is reversed"),
    ] as [(TelemetryValue, String)])
    func invalidConstraintsAreRefused(value: TelemetryValue, expected: String) {
        #expect(throws: AlarmValidationError(expected)) { try TimeConstraint.parse(value) }
    }

    @Test func containsIsWithinLatestStartPlusDuration() throws {
        // Weekdays from 09:00 for 8 hours, UTC. 2026-11-25 is a Wednesday.
        let office = try TimeConstraint(name: "office", start: "0 9 * * 1-5", duration: 8 * 3600)
        #expect(office.contains(date("2026-11-25 09:00:00")))
        #expect(office.contains(date("2026-11-25 12:30:00")))
        #expect(office.contains(date("2026-11-25 17:00:00")))
        #expect(!office.contains(date("2026-11-25 17:00:01")))
        #expect(!office.contains(date("2026-11-25 08:58:00")))
        // A start in the coming minute counts (croniter's exact-match rule).
        #expect(office.contains(date("2026-11-25 08:59:30")))
        // Saturday: the latest start is Friday 09:00.
        #expect(!office.contains(date("2026-11-28 10:00:00")))
    }

    @Test func timezoneShiftsTheWindow() throws {
        let paris = try TimeConstraint(name: "night", start: "0 23 * * *", duration: 3600, timezone: "Europe/Paris")
        // 23:00 in Paris in November is 22:00 UTC.
        #expect(paris.contains(date("2026-11-25 22:30:00")))
        #expect(!paris.contains(date("2026-11-25 23:30:00")))
    }

    @Test func durationsCrossMidnightAndMonths() throws {
        let monthly = try TimeConstraint(name: "m", start: "@monthly", duration: 2 * 86400)
        #expect(monthly.contains(date("2026-12-02 23:00:00")))
        #expect(!monthly.contains(date("2026-12-03 00:00:01")))
        let leap = try TimeConstraint(name: "l", start: "0 0 29 2 *", duration: 86400)
        #expect(leap.contains(date("2028-02-29 12:00:00")))
        #expect(!leap.contains(date("2027-02-28 12:00:00")))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        let cron = try CronExpression("0 0 1 * mon")
        #expect(cron.matchesDay(month: 11, day: 1, weekday: 0))
        #expect(cron.matchesDay(month: 11, day: 2, weekday: 1))
        #expect(!cron.matchesDay(month: 11, day: 3, weekday: 2))
        let odd = try CronExpression("0 0 */2 * mon")
        #expect(odd.matchesDay(month: 11, day: 4, weekday: 1))
        #expect(odd.matchesDay(month: 11, day: 3, weekday: 2))
        #expect(!odd.matchesDay(month: 11, day: 4, weekday: 2))
        let sunday = try CronExpression("0 0 * * 7")
        #expect(sunday.matchesDay(month: 1, day: 5, weekday: 0))
        let listed = try CronExpression("5,10-20/5 */6 * jan,jul *")
        #expect(listed.minutes == [5, 10, 15, 20])
        #expect(listed.hours == [0, 6, 12, 18])
        #expect(listed.months == [1, 7])
    }
}
