import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StratusAPI
import StratusCore
import StratusTesting
import Testing

/// Runs `body` against an in-process Stratus API over a fresh data directory (SQLite index, file drivers),
/// with Gnocchi's default archive policies and rule. `overrides` are configuration overrides ("api.auth_mode=keystone").
func withAPI(
    overrides: [String] = [],
    _ body: @Sendable (TestAPIClient, TimeSeriesCoreFixture) async throws -> Void
) async throws {
    try await TimeSeriesCoreFixture.with(sacks: 8, overrides: overrides) { fixture in
        let configuration = try APIConfiguration(fixture.configuration.section("api"))
        let cors = try CORSConfiguration(fixture.configuration.section("cors"))
        let environment = APIEnvironment(core: fixture.core, configuration: configuration, cors: cors, logger: fixture.logs.logger)
        let app = Application(router: APIRouter.build(environment))
        try await app.test(.router) { client in
            try await body(TestAPIClient(client: client), fixture)
        }
    }
}

/// A small client over Hummingbird's test client: JSON in and out, HTTP Basic as `user` (default admin).
struct TestAPIClient: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var bytes: [UInt8]
        var json: JSONValue? { try? JSONValue.parse(bytes) }
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    static func basic(_ user: String) -> HTTPFields {
        [.authorization: "Basic " + Data("\(user):".utf8).base64EncodedString()]
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, body: String? = nil,
        user: String? = "admin", headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = user.map(Self.basic) ?? [:]
        for field in extra { headers[field.name] = field.value }
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(bytes: json.serialized())
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let body {
            buffer = ByteBuffer(string: body)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            Reply(status: response.status, headers: response.headers, bytes: Array(buffer: response.body))
        }
    }

    func get(_ uri: String, user: String? = "admin") async throws -> Reply { try await request(.get, uri, user: user) }
    func post(_ uri: String, _ json: JSONValue, user: String? = "admin") async throws -> Reply { try await request(.post, uri, json: json, user: user) }
    func delete(_ uri: String, user: String? = "admin") async throws -> Reply { try await request(.delete, uri, user: user) }
}
