import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StratusAlarms
import StratusAPI
import StratusCore
import StratusTesting
import Testing

/// Runs `body` against an in-process Stratus API (fresh data directory, SQLite index) carrying an in-memory
/// alarm store. `overrides` are configuration overrides ("api.auth_mode=keystone").
func withAlarmAPI(
    overrides: [String] = [],
    _ body: @Sendable (AlarmTestClient, any AlarmDatabase) async throws -> Void
) async throws {
    try await TimeSeriesCoreFixture.with(sacks: 2, overrides: overrides) { fixture in
        let store = try await SQLiteAlarmStore.inMemory()
        let configuration = try APIConfiguration(fixture.configuration.section("api"))
        let environment = APIEnvironment(
            core: fixture.core, configuration: configuration, alarmStore: store, logger: fixture.logs.logger)
        let app = Application(router: APIRouter.build(environment))
        try await app.test(.router) { client in
            try await body(AlarmTestClient(client: client), store)
        }
        try await store.close()
    }
}

/// Who calls: an HTTP Basic user, or keystone headers.
enum AlarmTestCaller: Sendable {
    case basic(String)
    case keystone(user: String, project: String, roles: String = "member")

    static let admin = AlarmTestCaller.basic("admin")

    var headers: HTTPFields {
        switch self {
        case .basic(let user):
            return [.authorization: "Basic " + Data("\(user):".utf8).base64EncodedString()]
        case .keystone(let user, let project, let roles):
            var headers: HTTPFields = [HTTPField.Name("X-Project-Id")!: project, HTTPField.Name("X-Roles")!: roles]
            if !user.isEmpty { headers[HTTPField.Name("X-User-Id")!] = user }
            return headers
        }
    }
}

/// JSON in and out over Hummingbird's test client.
struct AlarmTestClient: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: TelemetryValue? { try? TelemetryJSON.decode(text) }
        subscript(key: String) -> TelemetryValue? {
            if case .dictionary(let fields) = json { return fields[key] }
            return nil
        }
        /// The `faultstring` of an Aodh error body.
        var faultstring: String? {
            guard case .dictionary(let error) = self["error_message"] else { return nil }
            return error["faultstring"]?.stringValue
        }
        var list: [TelemetryValue] {
            if case .list(let items) = json { return items }
            return []
        }
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: TelemetryValue? = nil, body: String? = nil,
        as caller: AlarmTestCaller = .admin
    ) async throws -> Reply {
        var headers = caller.headers
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(string: TelemetryJSON.encode(json))
        } else if let body {
            buffer = ByteBuffer(string: body)
        }
        if buffer != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            Reply(status: response.status, bytes: Array(buffer: response.body))
        }
    }

    func get(_ uri: String, as caller: AlarmTestCaller = .admin) async throws -> Reply {
        try await request(.get, uri, as: caller)
    }

    func post(_ uri: String, _ json: TelemetryValue, as caller: AlarmTestCaller = .admin) async throws -> Reply {
        try await request(.post, uri, json: json, as: caller)
    }

    func put(_ uri: String, _ json: TelemetryValue, as caller: AlarmTestCaller = .admin) async throws -> Reply {
        try await request(.put, uri, json: json, as: caller)
    }

    func delete(_ uri: String, as caller: AlarmTestCaller = .admin) async throws -> Reply {
        try await request(.delete, uri, as: caller)
    }
}

/// Bodies used across the API tests.
enum AlarmBodies {
    static let resourceID = "5a301761-f78b-46e2-8900-8b4f6fe6675a"

    static func resourcesThreshold(_ name: String = "cpu-high", threshold: Double = 80, extra: [String: TelemetryValue] = [:])
        -> TelemetryValue
    {
        var body: [String: TelemetryValue] = [
            "name": .string(name), "type": "gnocchi_resources_threshold",
            "gnocchi_resources_threshold_rule": [
                "metric": "cpu_util", "resource_id": .string(resourceID), "resource_type": "generic",
                "aggregation_method": "mean", "threshold": .double(threshold),
            ],
        ]
        for (key, value) in extra { body[key] = value }
        return .dictionary(body)
    }

    static func byResources(query: String) -> TelemetryValue {
        [
            "name": "by-resources", "type": "gnocchi_aggregation_by_resources_threshold",
            "gnocchi_aggregation_by_resources_threshold_rule": [
                "metric": "cpu_util", "resource_type": "generic", "aggregation_method": "mean", "threshold": 1.0,
                "query": .string(query),
            ],
        ]
    }
}

extension TelemetryValue {
    /// A member of a dictionary value.
    func apiField(_ key: String) -> TelemetryValue? {
        if case .dictionary(let fields) = self { return fields[key] }
        return nil
    }
}
