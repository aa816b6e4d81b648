import Testing
@testable import StratusCore

/// Expected values computed with numpy 2.4 (`numpy.datetime64(text).astype('datetime64[ns]')`) for
/// ISO 8601, and with Python's `Decimal(text) * 10**9` for epoch seconds.
@Suite struct TimestampsTests {
    static let now: Int64 = 1_700_000_000_000_000_000  // 2023-11-14T22:13:20Z

    @Test(arguments: [
        ("2014-01-01T12:00:00", Int64(1_388_577_600_000_000_000)),
        ("2014-01-01 12:00:00", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00:00Z", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00:00+00:00", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00:00-00:00", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00:00+01:00", 1_388_574_000_000_000_000),
        ("2014-01-01T12:00:00-05:30", 1_388_597_400_000_000_000),
        ("2014-01-01T12:00:00+0130", 1_388_572_200_000_000_000),
        ("2014-01-01T12:00:00+01", 1_388_574_000_000_000_000),
        ("2014-01-01T12:00:00.5", 1_388_577_600_500_000_000),
        ("2014-01-01T12:00:00.123456", 1_388_577_600_123_456_000),
        ("2014-01-01T12:00:00.123456789", 1_388_577_600_123_456_789),
        ("2014-01-01T12:00:00.123456789Z", 1_388_577_600_123_456_789),
        ("2014-01-01T12:00:00.1234567891", 1_388_577_600_123_456_789),  // truncated (numpy overflows)
        ("2014-01-01T12:00:00.", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00:00.5Z", 1_388_577_600_500_000_000),
        ("2024-01-02", 1_704_153_600_000_000_000),
        ("2014-01", 1_388_534_400_000_000_000),
        ("2014-01-01T12", 1_388_577_600_000_000_000),
        ("2014-01-01T12:00", 1_388_577_600_000_000_000),
        ("2014-01-01T12Z", 1_388_577_600_000_000_000),
        ("2016-02-29T23:59:59.999999999", 1_456_790_399_999_999_999),
        ("2000-02-29", 951_782_400_000_000_000),
        ("1970-01-01T00:00:00", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("2038-01-19T03:14:08Z", 2_147_483_648_000_000_000),
        ("2262-04-11T23:47:16.854775807", Int64.max),
        (" 2014-01-01T12:00:00Z\n", 1_388_577_600_000_000_000),
    ])
    func parsesISO8601(text: String, expected: Int64) throws {
        #expect(try Timestamps.parse(text, now: Self.now) == expected)
    }

    @Test(arguments: [
        ("1420070400", Int64(1_420_070_400_000_000_000)),
        ("1420070400.5", 1_420_070_400_500_000_000),
        ("1420070400.123456789", 1_420_070_400_123_456_789),
        ("1420070400.1234567899", 1_420_070_400_123_456_789),
        ("1.4200704e9", 1_420_070_400_000_000_000),
        ("1420070400e0", 1_420_070_400_000_000_000),
        ("+1420070400", 1_420_070_400_000_000_000),
        (" 1420070400 ", 1_420_070_400_000_000_000),
        ("0", 0),
        ("-0", 0),
        (".5", 500_000_000),
        ("5.", 5_000_000_000),
        ("2014", 2_014_000_000_000),              // a number before it is a year, as in Gnocchi
        ("20140101", 20_140_101_000_000_000),
        ("9223372036.854775807", Int64.max),
    ])
    func parsesEpochSeconds(text: String, expected: Int64) throws {
        #expect(try Timestamps.parse(text, now: Self.now) == expected)
    }

    @Test(arguments: [
        ("-2 days", Int64(1_699_827_200_000_000_000)),
        ("10 minutes", 1_700_000_600_000_000_000),
        ("-1 hour", 1_699_996_400_000_000_000),
        ("+3 weeks", 1_701_814_400_000_000_000),
        ("- 1 minute", 1_699_999_940_000_000_000),
        ("1:30", 1_700_000_090_000_000_000),
        ("-1.5s", 1_699_999_998_500_000_000),
        ("now", 1_700_000_000_000_000_000),
        ("NOW", 1_700_000_000_000_000_000),
        ("today", 1_699_920_000_000_000_000),
    ])
    func parsesRelativeTimesAgainstInjectedNow(text: String, expected: Int64) throws {
        #expect(try Timestamps.parse(text, now: Self.now) == expected)
    }

    @Test(arguments: [
        "1969-12-31T23:59:59", "1969-12-31T23:59:59.999999999", "1970-01-01T00:30:00+01:00",
        "0000-01-01", "1900-01-01T00:00:00Z", "-1", "-0.000000001", "-1e9",
    ])
    func rejectsTimesBeforeEpoch(text: String) {
        #expect(throws: TimestampError(code: .beforeEpoch, text: text)) {
            try Timestamps.parse(text, now: Self.now)
        }
    }

    @Test func rejectsRelativeTimesBeforeEpoch() {
        let error = #expect(throws: TimestampError.self) { try Timestamps.parse("-2 days", now: 1_000_000_000) }
        #expect(error?.code == .beforeEpoch)
        #expect(error?.reason == "Timestamp must be after Epoch")
    }

    @Test(arguments: ["2262-04-11T23:47:16.854775808", "2262-04-12", "9999-12-31", "9223372037", "1e19"])
    func rejectsTimesPastInt64Nanoseconds(text: String) {
        let error = #expect(throws: TimestampError.self) { try Timestamps.parse(text, now: Self.now) }
        #expect(error?.code == .outOfRange)
    }

    @Test(arguments: [
        "", "   ", "abc", "yesterday", "NaT", "nan", "inf", "-Infinity", "P1D", "2014-1-1", "2014-01-01t12:00:00",
        "2014-01-01T12:00:00z", "2014-01-01Z", "2014-01-01+01:00", "2014-01-01T", "2014-01-01T12:00:00 +01:00",
        "2014-01-01T12:00:00,5", "2014-01-01T1200", "2014-01-01T12:0:05", "2014-01-01T12:00:00+1:00",
        "2014-01-01T12:00:00+01:0", "2014-01-01T12:00:00+01:00:00", "2014-01-01_12:00", "2014-W01", "0x10",
        "1.2.3", "1h 2d",
    ])
    func rejectsGarbage(text: String) {
        let error = #expect(throws: TimestampError.self) { try Timestamps.parse(text, now: Self.now) }
        #expect(error?.code == .unparsable)
        #expect(error?.text == text)
        #expect(error?.description.contains("Unable to parse timestamp") == true)
    }

    @Test(arguments: [
        ("2014-13-01", "month out of range"),
        ("2014-00-01", "month out of range"),
        ("2014-02-30", "day out of range"),
        ("2015-02-29", "day out of range"),
        ("1900-02-29", "day out of range"),
        ("2014-04-31", "day out of range"),
        ("2014-01-00", "day out of range"),
        ("2014-01-01T24:00:00", "hours out of range"),
        ("2014-01-01T12:60", "minutes out of range"),
        ("2014-01-01T23:59:60", "seconds out of range"),
        ("2014-01-01T12:00:00+24:00", "timezone hours offset out of range"),
        ("2014-01-01T12:00:00+01:60", "timezone minutes offset out of range"),
    ])
    func rejectsInvalidDatesWithTheField(text: String, detail: String) {
        let error = #expect(throws: TimestampError.self) { try Timestamps.parse(text, now: Self.now) }
        #expect(error?.code == .unparsable)
        #expect(error?.reason == "Unable to parse timestamp: \(detail)")
        #expect(error?.description == "Unable to parse timestamp: \(detail): '\(text)'")
    }

    @Test(arguments: [
        (1_420_070_400.0, Int64(1_420_070_400_000_000_000)),
        (1_420_070_400.5, 1_420_070_400_500_000_000),
        (1_420_070_400.123, 1_420_070_400_123_000_000),
        (1_420_070_400.123456, 1_420_070_400_123_456_000),
        (0.5, 500_000_000),
        (0, 0),
        (-0.0, 0),
        (1e-10, 0),
        (9_223_372_036.0, 9_223_372_036_000_000_000),
    ])
    func convertsEpochSecondsFromJSONNumbers(seconds: Double, expected: Int64) throws {
        #expect(try Timestamps.fromEpochSeconds(seconds) == expected)
    }

    @Test(arguments: [
        (-1.0, TimestampError.Code.beforeEpoch), (-0.5, .beforeEpoch), (Double.nan, .unparsable),
        (Double.infinity, .unparsable), (-Double.infinity, .unparsable), (1e19, .outOfRange), (9_223_372_037.5, .outOfRange),
    ])
    func rejectsBadEpochNumbers(seconds: Double, code: TimestampError.Code) {
        let error = #expect(throws: TimestampError.self) { try Timestamps.fromEpochSeconds(seconds) }
        #expect(error?.code == code)
    }

    /// Expected strings from Python: `datetime.fromtimestamp(s, timezone.utc).isoformat()`.
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00+00:00"),
        (1_388_577_600_000_000_000, "2014-01-01T12:00:00+00:00"),
        (1_388_577_600_500_000_000, "2014-01-01T12:00:00.500000+00:00"),
        (1_388_577_600_123_456_000, "2014-01-01T12:00:00.123456+00:00"),
        (1_388_577_600_000_001_000, "2014-01-01T12:00:00.000001+00:00"),
        (1_388_577_600_123_456_789, "2014-01-01T12:00:00.123456789+00:00"),
        (1, "1970-01-01T00:00:00.000000001+00:00"),
        (1_456_790_399_999_999_000, "2016-02-29T23:59:59.999999+00:00"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00+00:00"),
        (1_704_153_600_000_000_000, "2024-01-02T00:00:00+00:00"),
        (Int64.max, "2262-04-11T23:47:16.854775807+00:00"),
        (-1, "1969-12-31T23:59:59.999999999+00:00"),
        (-1_000_000_000, "1969-12-31T23:59:59+00:00"),
        (Int64.min, "1677-09-21T00:12:43.145224192+00:00"),
    ])
    func formatsAsPythonIsoformat(nanoseconds: Int64, expected: String) {
        #expect(Timestamps.format(nanoseconds) == expected)
    }

    @Test func formatThenParseRoundTrips() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let nanoseconds = Int64(bitPattern: state >> 1)
            // Whole seconds, whole microseconds and arbitrary nanoseconds.
            for value in [nanoseconds, nanoseconds / 1_000_000_000 * 1_000_000_000, nanoseconds / 1000 * 1000] {
                #expect(try Timestamps.parse(Timestamps.format(value), now: 0) == value)
            }
        }
    }

    @Test func civilConversionsAgreeForEveryDayOf1970To2262() {
        var expected = (year: Int64(1970), month: Int64(1), day: Int64(1))
        var mismatches: [Int64] = []
        for days in Int64(0)..<106_752 {
            let civil = Timestamps.civil(fromDays: days)
            if civil != expected || Timestamps.days(fromCivil: civil.year, civil.month, civil.day) != days {
                mismatches.append(days)
            }
            expected.day += 1
            if expected.day > ISO8601Parser.daysInMonth(expected.year, expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 {
                    expected.month = 1
                    expected.year += 1
                }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func nowIsTheWallClock() {
        let now = Timestamps.now()
        #expect(now > 1_700_000_000_000_000_000)
        #expect(now < 4_000_000_000_000_000_000)
    }

    @Test func errorDescriptionNamesTheText() {
        let error = TimestampError(code: .unparsable, text: "soon")
        #expect(error.description == "Unable to parse timestamp: 'soon'")
        #expect(TimestampError(code: .beforeEpoch, text: "-1").description == "Timestamp must be after Epoch: '-1'")
    }
}
