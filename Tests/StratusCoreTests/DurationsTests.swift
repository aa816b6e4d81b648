import Testing
@testable import StratusCore

/// Expected values computed with Gnocchi 4.7.1's `utils.to_timespan` (`float()` first, then
/// pytimeparse 1.1.10's `parse`, then `int(seconds * 10e8)`).
@Suite struct DurationsTests {
    @Test(arguments: [
        ("5 minutes", Int64(300_000_000_000)),
        ("1 hour", 3_600_000_000_000),
        ("1d", 86_400_000_000_000),
        ("2h30m", 9_000_000_000_000),
        ("1.5 hours", 5_400_000_000_000),
        ("3600", 3_600_000_000_000),
        ("3600.5", 3_600_500_000_000),
        ("0:05:00", 300_000_000_000),
        ("1:00:00", 3_600_000_000_000),
        ("30 days, 0:00:00", 2_592_000_000_000_000),
        ("365 days, 0:00:00", 31_536_000_000_000_000),
        ("1 day, 2:03:04.5", 93_784_500_000_000),
        ("1 days, 0:00:00.000001", 86_400_000_001_000),
        ("1w", 604_800_000_000_000),
        ("1:24", 84_000_000_000),
        (":22", 22_000_000_000),
        ("1 minute, 24 secs", 84_000_000_000),
        ("1m24s", 84_000_000_000),
        ("1.2 minutes", 72_000_000_000),
        ("1.2 seconds", 1_200_000_000),
        ("- 1 minute", -60_000_000_000),
        ("+ 1 minute", 60_000_000_000),
        ("-2 days", -172_800_000_000_000),
        ("10 minutes", 600_000_000_000),
        ("+3 weeks", 1_814_400_000_000_000),
        ("1.01m", 60_000_000_000),          // pytimeparse truncates to whole seconds here
        ("1.0001 hours", 3_600_000_000_000),
        ("1.5m30s", 120_000_000_000),
        ("1.5m 1.5s", 91_500_000_000),
        ("2 DAYS", 172_800_000_000_000),
        ("1 Hr", 3_600_000_000_000),
        ("3 wks", 1_814_400_000_000_000),
        ("1 dy", 86_400_000_000_000),
        (" 5 min ", 300_000_000_000),
        ("5 minutes,", 300_000_000_000),
        ("1:02:03:04", 93_784_000_000_000),
        ("1-02:03:04", 93_784_000_000_000),
        ("1e3", 1_000_000_000_000),
        ("-5", -5_000_000_000),
        ("0", 0),
        ("0.1", 100_000_000),
        ("0.000000001", 1),
        ("1 day", 86_400_000_000_000),
        ("2 days, 1:00:00", 176_400_000_000_000),
        ("1 week, 2 days, 3:04:05", 788_645_000_000_000),
        ("100:00:00", 360_000_000_000_000),
        ("5 mins 30 secs", 330_000_000_000),
        ("1h1m1s", 3_661_000_000_000),
        ("1 h, 1 m, 1 s", 3_661_000_000_000),
        ("1h/30m", 5_400_000_000_000),
        ("0.5w", 302_400_000_000_000),
        ("1 weeks 1 days 1 hours 1 minutes 1 seconds", 694_861_000_000_000),
        ("2 hrs 3 mins", 7_380_000_000_000),
    ])
    func parsesAsGnocchiToTimespan(text: String, expected: Int64) throws {
        #expect(try Durations.parse(text) == expected)
    }

    @Test(arguments: [
        "P1D", "PT5M", "", "   ", ".", "abc", "1.2.3 minutes", "1h 2d", "1/2h", "5 s,", "1 minute 1 hour", "1 fortnight",
        "1:2", "123:45", "1:2:03", "5 minutes ago", "1h1h", "inf", "nan", "1 h r",
    ])
    func rejectsWhatGnocchiRejects(text: String) {
        #expect(throws: DurationError(text: text, reason: "Unable to parse timespan")) {
            try Durations.parse(text)
        }
    }

    @Test(arguments: ["1e19", "300 years", "16000 weeks", "9223372037"])
    func rejectsDurationsBeyondInt64Nanoseconds(text: String) {
        let error = #expect(throws: DurationError.self) { try Durations.parse(text) }
        if text != "300 years" { #expect(error?.reason == DurationError.outOfRangeReason) }
    }

    /// Expected strings from Python's `str(datetime.timedelta(microseconds=round(ns / 1000)))`.
    @Test(arguments: [
        (Int64(300_000_000_000), "0:05:00"),
        (3_600_000_000_000, "1:00:00"),
        (86_400_000_000_000, "1 day, 0:00:00"),
        (2_592_000_000_000_000, "30 days, 0:00:00"),
        (31_536_000_000_000_000, "365 days, 0:00:00"),
        (1_500_000_000, "0:00:01.500000"),
        (0, "0:00:00"),
        (-1_000_000_000, "-1 day, 23:59:59"),
        (-172_800_000_000_000, "-2 days, 0:00:00"),
        (93_784_500_000_000, "1 day, 2:03:04.500000"),
        (1000, "0:00:00.000001"),
        (1500, "0:00:00.000002"),   // half to even
        (2500, "0:00:00.000002"),
        (172_800_000_000_001, "2 days, 0:00:00"),
        (59_999_999_500, "0:01:00"),
        (360_000_000_000_000, "4 days, 4:00:00"),
        (36_000_000_000_000, "10:00:00"),
    ])
    func formatsAsPythonTimedelta(nanoseconds: Int64, expected: String) {
        #expect(Durations.formatTimedelta(nanoseconds: nanoseconds) == expected)
    }

    @Test(arguments: [Int64(1_000_000_000), 300_000_000_000, 86_400_000_000_000, 93_784_500_000_000, 31_536_000_000_000_000, 1000])
    func formattedTimedeltasParseBack(nanoseconds: Int64) throws {
        #expect(try Durations.parse(Durations.formatTimedelta(nanoseconds: nanoseconds)) == nanoseconds)
    }
}
