import Carbonara
import Foundation
import HTTPTypes
import NIOCore
import StratusCore
import StratusIndex
import StratusTesting
import Testing

@testable import StratusAPI

private let second: Int64 = 1_000_000_000

extension MetricAPI {
    /// Creates the archive policy `name` with these granularities (seconds), infinite retention, default methods.
    static func createPolicy(_ fixture: TimeSeriesCoreFixture, _ name: String, granularities: [Int64]) async throws {
        try await fixture.indexer.createArchivePolicy(
            try ArchivePolicy(name: name, definition: granularities.map { ArchivePolicyItem(granularity: $0 * second, points: nil) }))
    }

    /// POSTs a raw measures body to a metric.
    static func post(_ api: TestAPIClient, _ id: String, _ body: String, user: String = "admin") async throws -> TestAPIClient.Reply {
        try await api.request(.post, "/v1/metric/\(id)/measures", body: body, user: user)
    }
}

@Suite("Measures: /v1/metric/{id}/measures")
struct MeasuresRoutesTests {
    // MARK: - Gnocchi's own functional scenario (gabbits/metric.yaml)

    @Test func postedMeasuresAreVisibleAfterRefreshExactlyAsGnocchiPrintsThem() async throws {
        try await withAPI { api, fixture in
            try await MetricAPI.createPolicy(fixture, "cookies", granularities: [1])
            let id = try await MetricAPI.create(api, ["archive_policy_name": "cookies"])
            // Two requests: one list cannot mix epoch numbers and ISO dates.
            for body in [#"[{"timestamp": 1425652437.0, "value": 43.1}]"#, #"[{"timestamp": "2015-03-06T14:34:12", "value": 12}]"#] {
                let posted = try await MetricAPI.post(api, id, body)
                #expect(posted.status == .accepted)
                #expect(posted.bytes.isEmpty)
                #expect(posted.headers[.contentType] == "application/json")
            }

            let measures = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            #expect(measures.status == .ok)
            #expect(measures.headers[.contentType] == "application/json")
            #expect(measures.text == #"[["2015-03-06T14:33:57+00:00", 1.0, 43.1], ["2015-03-06T14:34:12+00:00", 1.0, 12.0]]"#)
            for start in ["2015-03-06T14:34", "1425652440"] {
                let later = try await api.get("/v1/metric/\(id)/measures?refresh=true&start=\(start)")
                #expect(later.text == #"[["2015-03-06T14:34:12+00:00", 1.0, 12.0]]"#, "\(start)")
            }

            _ = try await MetricAPI.post(api, id, #"""
                [{"timestamp": "2015-03-06T14:34:15", "value": 16}, {"timestamp": "2015-03-06T14:35:12", "value": 9},
                 {"timestamp": "2015-03-06T14:35:15", "value": 11}]
                """#)
            let resampled = try await api.get("/v1/metric/\(id)/measures?refresh=true&resample=60&granularity=1")
            #expect(resampled.text == #"[["2015-03-06T14:33:00+00:00", 60.0, 43.1], ["2015-03-06T14:34:00+00:00", 60.0, 14.0], ["2015-03-06T14:35:00+00:00", 60.0, 10.0]]"#)
        }
    }

    @Test func measuresWaitForMetricdWithoutRefresh() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            _ = try await MetricAPI.post(api, id, #"[{"timestamp": "2024-01-01T12:01:00", "value": 4}]"#)
            #expect(try await api.get("/v1/metric/\(id)/measures").text == "[]")
            #expect(try await fixture.incoming.backlog().measures == 1)
            try await fixture.drain()
            #expect(try await api.get("/v1/metric/\(id)/measures").text == #"[["2024-01-01T12:00:00+00:00", 300.0, 4.0]]"#)
        }
    }

    @Test func coarsestGranularityComesFirstStartIsFlooredStopIsExclusive() async throws {
        try await withAPI { api, fixture in
            try await MetricAPI.createPolicy(fixture, "two", granularities: [60, 3600])
            let id = try await MetricAPI.create(api, ["archive_policy_name": "two"])
            _ = try await MetricAPI.post(api, id, #"""
                [{"timestamp": "2024-01-01T12:00:00", "value": 1}, {"timestamp": "2024-01-01T12:00:30", "value": 2},
                 {"timestamp": "2024-01-01T12:01:00", "value": 3.5}, {"timestamp": "2024-01-01T12:05:00", "value": 8}]
                """#)
            let all = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            #expect(all.text == "[" + [
                #"["2024-01-01T12:00:00+00:00", 3600.0, 3.625]"#, #"["2024-01-01T12:00:00+00:00", 60.0, 1.5]"#,
                #"["2024-01-01T12:01:00+00:00", 60.0, 3.5]"#, #"["2024-01-01T12:05:00+00:00", 60.0, 8.0]"#,
            ].joined(separator: ", ") + "]")
            let window = try await api.get("/v1/metric/\(id)/measures?start=2024-01-01T12:01:30&stop=2024-01-01T12:05:00")
            #expect(window.text == #"[["2024-01-01T12:00:00+00:00", 3600.0, 3.625], ["2024-01-01T12:01:00+00:00", 60.0, 3.5]]"#)
            let inverted = try await api.get("/v1/metric/\(id)/measures?start=2024-01-01T13:00:00&stop=2024-01-01T12:00:00")
            #expect(inverted.text == "[]")
            let both = try await api.get("/v1/metric/\(id)/measures?granularity=60&granularity=1%20hour&aggregation=max")
            #expect(both.text == "[" + [
                #"["2024-01-01T12:00:00+00:00", 3600.0, 8.0]"#, #"["2024-01-01T12:00:00+00:00", 60.0, 2.0]"#,
                #"["2024-01-01T12:01:00+00:00", 60.0, 3.5]"#, #"["2024-01-01T12:05:00+00:00", 60.0, 8.0]"#,
            ].joined(separator: ", ") + "]")
            let weekly = try await api.get("/v1/metric/\(id)/measures?resample=W&granularity=3600")
            #expect(weekly.text == #"[["2023-12-31T00:00:00+00:00", "W", 3.625]]"#)
            let summed = try await api.get("/v1/metric/\(id)/measures?resample=300&granularity=60&aggregation=sum")
            #expect(summed.text == #"[["2024-01-01T12:00:00+00:00", 300.0, 6.5], ["2024-01-01T12:05:00+00:00", 300.0, 8.0]]"#)
        }
    }

    @Test func measuresOfAMetricWithoutDataAreEmpty() async throws {
        try await withAPI { api, _ in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "medium"])
            let reply = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            #expect(reply.status == .ok)
            #expect(reply.text == "[]")
        }
    }

    @Test func nonFiniteValuesArePrintedAsPythonsJSONDoes() async throws {
        try await withAPI { api, fixture in
            try await MetricAPI.createPolicy(fixture, "minute", granularities: [60])
            let id = try await MetricAPI.create(api, ["archive_policy_name": "minute"])
            let posted = try await MetricAPI.post(api, id, #"""
                [{"timestamp": "2024-01-01T12:00:00", "value": "NaN"}, {"timestamp": "2024-01-01T12:01:00", "value": "Infinity"},
                 {"timestamp": "2024-01-01T12:02:00", "value": "-inf"}, {"timestamp": "2024-01-01T12:03:00", "value": 1},
                 {"timestamp": "2024-01-01T12:04:00", "value": NaN}]
                """#)
            #expect(posted.status == .accepted)
            let reply = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            #expect(reply.text == "[" + [
                #"["2024-01-01T12:00:00+00:00", 60.0, NaN]"#, #"["2024-01-01T12:01:00+00:00", 60.0, Infinity]"#,
                #"["2024-01-01T12:02:00+00:00", 60.0, -Infinity]"#, #"["2024-01-01T12:03:00+00:00", 60.0, 1.0]"#,
                #"["2024-01-01T12:04:00+00:00", 60.0, NaN]"#,
            ].joined(separator: ", ") + "]")
        }
    }

    // MARK: - GET errors

    @Test func getRefusesBadArgumentsAsGnocchi() async throws {
        try await withAPI { api, _ in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "medium"])
            let argument: (String, String) -> JSONValue = { detail, reason in
                ["cause": "Argument value error", "detail": .string(detail), "reason": .string(reason)]
            }
            let cases: [(String, HTTPResponse.Status, JSONValue)] = [
                ("aggregation=wtf", .notFound, ["cause": "Aggregation method does not exist for this metric",
                                                "detail": ["metric": .string(id), "aggregation_method": "wtf"]]),
                ("aggregation=median", .notFound, ["cause": "Aggregation method does not exist for this metric",
                                                   "detail": ["metric": .string(id), "aggregation_method": "median"]]),
                ("granularity=42", .notFound, .string("Aggregation method 'mean' at granularity '42.0' for metric \(id) does not exist")),
                ("granularity=60&granularity=120", .notFound,
                 .string("Aggregation method 'mean' at granularity '120.0' for metric \(id) does not exist")),
                ("granularity=foobar", .badRequest, argument("granularity", "Unable to parse timespan")),
                ("granularity=0", .badRequest, argument("granularity", "Timespan must be positive")),
                ("start=whenever", .badRequest, argument("start", "Must be a datetime or a timestamp")),
                ("stop=whenever", .badRequest, argument("stop", "Must be a datetime or a timestamp")),
                ("start=1915-01-01", .badRequest, argument("start", "Must be a datetime or a timestamp")),
                ("resample=60", .badRequest, "A granularity must be specified to resample"),
                ("resample=fortnightly&granularity=60", .badRequest, "Unable to parse timespan"),
                ("resample=-5&granularity=60", .badRequest, "Timespan must be positive"),
                ("refresh=maybe", .badRequest, .string("Unable to parse `refresh': Unrecognized value 'maybe', acceptable values "
                    + "are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'")),
            ]
            for (query, status, description) in cases {
                let reply = try await api.get("/v1/metric/\(id)/measures?\(query)")
                #expect(reply.status == status, "\(query)")
                #expect(reply.json?["description"] == description, "\(query)")
            }
            for query in ["granularity=1%20hour", "granularity=3600&aggregation=count", "color=blue", "refresh=YES"] {
                #expect(try await api.get("/v1/metric/\(id)/measures?\(query)").status == .ok, "\(query)")
            }
        }
    }

    @Test func refreshAnswers503WhenTheSackStaysLocked() async throws {
        try await withAPI(overrides: ["api.operation_timeout=0.2"]) { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            _ = try await MetricAPI.post(api, id, #"[{"timestamp": "2024-01-01T12:00:00", "value": 42}]"#)
            let sack = fixture.incoming.sack(of: try #require(UUID(uuidString: id)))
            let lock = try #require(try fixture.storage.tryLock(sack: sack))
            let locked = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            lock.unlock()
            #expect(locked.status == .serviceUnavailable)
            #expect(locked.json?["description"] == .string("Unable to refresh metric: \(id). Metric is locked. Please try again."))
            let refreshed = try await api.get("/v1/metric/\(id)/measures?refresh=true")
            #expect(refreshed.text == #"[["2024-01-01T12:00:00+00:00", 300.0, 42.0]]"#)
        }
    }

    @Test func refreshWithNothingWaitingDoesNotWaitForTheLock() async throws {
        try await withAPI(overrides: ["api.operation_timeout=0.2"]) { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let uuid = try #require(UUID(uuidString: id))
            let lock = try #require(try fixture.storage.tryLock(sack: fixture.incoming.sack(of: uuid)))
            defer { lock.unlock() }
            #expect(try await api.get("/v1/metric/\(id)/measures?refresh=true").status == .ok)
        }
    }

    // MARK: - POST

    @Test func postAcceptsEveryTimestampFormAndEmptyLists() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let bodies = [
                "[]", "{}",
                #"[{"timestamp": 1425652437.0, "value": 43.1}]"#,
                #"[{"timestamp": "1704110820", "value": "10"}]"#,
                #"[{"timestamp": "2024-01-01T13:02:00+01:00", "value": 4}, {"timestamp": "2024-01-01T12:04:30.250000Z", "value": true}]"#,
                #"[{"timestamp": "-2 hours", "value": 1}, {"timestamp": "-1 minute", "value": 2}]"#,
                #"[{"timestamp": "2024-01-01T12:10:00", "value": 11, "unit": "x"}]"#,
            ]
            for body in bodies {
                let reply = try await MetricAPI.post(api, id, body)
                #expect(reply.status == .accepted, "\(body): \(reply.text)")
                #expect(reply.bytes.isEmpty)
            }
            #expect(try await fixture.incoming.backlog().measures == 7)
        }
    }

    @Test func postRefusesInvalidListsAndStoresNothing() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let invalid: (String) -> JSONValue = { MetricAPI.invalid($0) }
            let cases: [(String, JSONValue)] = [
                (#"[{"timestamp": "2015-03-06T14:33:57", "value": 1}, {"timestamp": "1915-03-06T14:33:57", "value": 43.1}]"#,
                 invalid("unexpected timestamp 'Timestamp must be after Epoch'")),
                (#"[{"timestamp": -1, "value": 1}]"#, invalid("unexpected timestamp 'Timestamp must be after Epoch'")),
                (#"[{"timestamp": "1915-100-06T14:33:57", "value": 43.1}]"#, invalid("unexpected timestamp 'Unable to convert timestamps'")),
                (#"[{"timestamp": 1478012832, "value": 43.1}, {"timestamp": "-5 minutes", "value": 43.1}]"#,
                 invalid("unexpected timestamp 'Unable to convert timestamps'")),
                (#"[["2015-03-06T14:33:57", 43.1], ["2015-03-06T14:34:12", 12]]"#, invalid("unexpected measures format")),
                (#"[{"timestamp": "2015-03-06T14:33:57", "value": 12}, {"timestamp": "2015-03-06T14:34:12", "value": "foobar"}]"#,
                 invalid("unexpected measures value")),
                (#"[{"timestamp": "2024-01-01T12:00:00"}]"#, invalid("unexpected measures value")),
                (#"[{"value": 1}]"#, invalid("unexpected measures format")),
                ("1", invalid("unexpected measures format")),
                (#"{"timestamp": "2024-01-01T12:00:00", "value": 1}"#, invalid("unexpected measures format")),
                (#"[{"timestamp": "#, ["cause": "Unable to decode body", "reason": "Expected object or value", "detail": []]),
            ]
            for (body, description) in cases {
                let reply = try await MetricAPI.post(api, id, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json?["description"] == description, "\(body)")
            }
            #expect(try await fixture.incoming.backlog().measures == 0)
        }
    }

    @Test func postNeedsJSONContentType() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let body = #"[{"timestamp": "2024-01-01T12:00:00", "value": 1}]"#
            let text = try await api.request(.post, "/v1/metric/\(id)/measures", body: body, headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(text.json?["description"] == "")
            let none = try await api.client.execute(
                uri: "/v1/metric/\(id)/measures", method: .post, headers: TestAPIClient.basic("admin"),
                body: ByteBuffer(string: body)) { $0.status }
            #expect(none == .unsupportedMediaType)
            let charset = try await api.request(
                .post, "/v1/metric/\(id)/measures", body: body, headers: [.contentType: "application/json; charset=utf-8"])
            #expect(charset.status == .accepted)
            #expect(try await fixture.incoming.backlog().measures == 1)
        }
    }

    @Test func unknownMetricsAre404() async throws {
        try await withAPI { api, _ in
            for id in ["fake", "00000000-0000-4000-8000-00000000dead"] {
                let post = try await MetricAPI.post(api, id, #"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}]"#)
                #expect(post.status == .notFound)
                #expect(post.json?["description"] == .string("Metric \(id) does not exist"))
                #expect(try await api.get("/v1/metric/\(id)/measures").status == .notFound)
            }
        }
    }

    @Test func measuresFollowGnocchisPolicy() async throws {
        try await withAPI { api, fixture in
            let admins = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let alices = try await MetricAPI.create(api, ["archive_policy_name": "low"], user: "alice")
            let body = #"[{"timestamp": "2024-01-01T12:00:00", "value": 1}]"#
            let denied = try await MetricAPI.post(api, admins, body, user: "alice")
            #expect(denied.status == .forbidden)
            #expect(denied.json?["description"] == "")
            #expect(try await api.get("/v1/metric/\(admins)/measures", user: "alice").status == .forbidden)
            #expect(try await MetricAPI.post(api, alices, body, user: "alice").status == .accepted)
            #expect(try await MetricAPI.post(api, alices, body).status == .accepted)
            #expect(try await api.get("/v1/metric/\(alices)/measures?refresh=true", user: "alice").text
                == #"[["2024-01-01T12:00:00+00:00", 300.0, 1.0]]"#)
            #expect(try await api.get("/v1/metric/\(alices)/measures", user: "bob").status == .forbidden)
            // The refused post stored nothing for the admin's metric.
            #expect(try await fixture.incoming.backlog().perMetric[UUID(uuidString: admins)!] == nil)
        }
    }

    // MARK: - Writer

    @Test(arguments: [
        (1.0, "1.0"), (43.1, "43.1"), (-0.0, "-0.0"), (0.1 + 0.2, "0.30000000000000004"), (1e15, "1000000000000000.0"),
        (9.1e15, "9100000000000000.0"), (1e16, "1e+16"), (1.2345678901234568e17, "1.2345678901234568e+17"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (6.153846153846154, "6.153846153846154"),
        (-12.0, "-12.0"), (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
    ])
    func floatsArePrintedAsPythonRepr(value: Double, expected: String) {
        #expect(MeasuresWriter.pythonRepr(value) == expected)
    }

    @Test func timestampsArePrintedToTheSecondAsNumpy() {
        var writer = MeasuresWriter()
        writer.append(
            TimeSeries(timestamps: [0, 1_425_652_437_500_000_000, 4_102_444_799_999_999_999], values: [1, 2, 3]),
            label: .span(500_000_000))
        writer.append(TimeSeries(timestamps: [951_782_400 * second], values: [4]), label: .calendar("M"))
        var buffer = writer.finish()
        #expect(buffer.readString(length: buffer.readableBytes) == "[" + [
            #"["1970-01-01T00:00:00+00:00", 0.5, 1.0]"#, #"["2015-03-06T14:33:57+00:00", 0.5, 2.0]"#,
            #"["2099-12-31T23:59:59+00:00", 0.5, 3.0]"#, #"["2000-02-29T00:00:00+00:00", "M", 4.0]"#,
        ].joined(separator: ", ") + "]")
        var empty = MeasuresWriter()
        var emptyBuffer = empty.finish()
        #expect(emptyBuffer.readString(length: emptyBuffer.readableBytes) == "[]")
    }
}
