import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StratusTesting
import Testing

/// Keeps `docs/openapi.yaml` honest: every operation it documents is routed by a real `stratus all-in-one`
/// and answers one of the statuses the document lists for it, and every `/v1` collection the server serves is
/// documented. The document is read with a line scan of its `paths:` section (no YAML dependency); its full
/// validation and fuzzing are `scripts/check-openapi.sh [--fuzz]`.
@Suite("docs/openapi.yaml against stratus all-in-one", .serialized)
struct OpenAPITests {
    /// One documented operation.
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        /// The documented response codes (`"200"`, `"404"`, or `"default"`).
        var statuses: Set<String>

        var description: String { "\(method) \(path)" }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The package root: the first directory above this file that holds `Package.swift`.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure(description: "no Package.swift above \(file)")
    }

    static func specification() throws -> String {
        try String(contentsOf: packageRoot().appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The operations of the `paths:` section, in document order. Relies on the document's layout: paths
    /// indented by 2 spaces, methods by 4, response codes (quoted) by 8.
    static func operations(in text: String) -> [Operation] {
        var operations: [Operation] = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !line.hasPrefix(" "), !line.isEmpty, !line.hasPrefix("#") {
                inPaths = line.hasPrefix("paths:")
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                      let colon = line.firstIndex(of: ":"),
                      methods.contains(line[line.index(line.startIndex, offsetBy: 4)..<colon].lowercased()) {
                let method = line[line.index(line.startIndex, offsetBy: 4)..<colon].uppercased()
                operations.append(Operation(method: method, path: path, statuses: []))
            } else if !operations.isEmpty, operations[operations.count - 1].path == path,
                      line.hasPrefix("        \""), !line.hasPrefix("         "),
                      let code = line.dropFirst(9).split(separator: "\"").first,
                      code.count == 3, code.allSatisfy(\.isNumber) {
                operations[operations.count - 1].statuses.insert(String(code))
            } else if !operations.isEmpty, operations[operations.count - 1].path == path,
                      line.hasPrefix("        default:") {
                operations[operations.count - 1].statuses.insert("default")
            }
        }
        return operations
    }

    /// A concrete URL path for a templated one: path parameters get values naming nothing that exists, so no
    /// request changes any object and a routed request answers the resource's own 404.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: "00000000-0000-4000-8000-00000000dead")
            .replacingOccurrences(of: "{name}", with: "openapi-test-missing")
    }

    @Test func theDocumentListsTheImplementedOperations() throws {
        let operations = Self.operations(in: try Self.specification())
        let names = Set(operations.map(\.description))
        #expect(operations.count == names.count, "an operation is listed twice")
        for expected in [
            "GET /", "GET /healthcheck", "GET /metrics", "GET /v1/capabilities", "GET /v1/status",
            "POST /v1/archive_policy", "GET /v1/archive_policy", "GET /v1/archive_policy/{name}",
            "PATCH /v1/archive_policy/{name}", "DELETE /v1/archive_policy/{name}",
            "POST /v1/archive_policy_rule", "GET /v1/archive_policy_rule", "GET /v1/archive_policy_rule/{name}",
            "PATCH /v1/archive_policy_rule/{name}", "DELETE /v1/archive_policy_rule/{name}",
            "POST /v1/metric", "GET /v1/metric", "GET /v1/metric/{id}", "DELETE /v1/metric/{id}",
            "POST /v1/metric/{id}/measures", "GET /v1/metric/{id}/measures", "POST /v1/batch/metrics/measures",
        ] {
            #expect(names.contains(expected), "\(expected) is not documented")
        }
        for operation in operations {
            #expect(!operation.statuses.isEmpty, "\(operation) documents no response")
        }
    }

    /// Whether an answer is the router's own 404 (no route), as opposed to a route's "X does not exist".
    static func isUnknownRoute(status: Int, body: Data) -> Bool {
        guard status == 404 else { return false }
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        return object?["description"] as? String == "Not Found"
    }

    static func send(_ method: String, _ url: String, body: Data? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.setValue("Basic " + Data("admin:".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body
        }
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = try #require(response as? HTTPURLResponse).statusCode
        return (status, data)
    }

    @Test(.timeLimit(.minutes(3)))
    func everyDocumentedOperationIsRoutedAndAnswersADocumentedStatus() async throws {
        let operations = Self.operations(in: try Self.specification())
        try #require(!operations.isEmpty, "no operation found in docs/openapi.yaml")
        try await TemporaryDirectory.with(prefix: "stratus-e2e-openapi") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let base = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")

                // The discrimination below works: an unknown path is the router's 404.
                let unknown = try await Self.send("GET", base + "/v1/openapi-test-no-such-route")
                #expect(Self.isUnknownRoute(status: unknown.status, body: unknown.body))

                for operation in operations {
                    let body: Data? = ["POST", "PUT", "PATCH"].contains(operation.method) ? Data("{}".utf8) : nil
                    let answer = try await Self.send(operation.method, base + Self.concrete(operation.path), body: body)
                    let text = String(decoding: answer.body, as: UTF8.self)
                    #expect(!Self.isUnknownRoute(status: answer.status, body: answer.body), "\(operation) is not routed")
                    #expect(answer.status != 405, "\(operation) answers 405: \(text)")
                    #expect(answer.status < 500, "\(operation) answers \(answer.status): \(text)")
                    #expect(operation.statuses.contains(String(answer.status)) || operation.statuses.contains("default"),
                            "\(operation) answers \(answer.status), not documented (\(operation.statuses.sorted())): \(text)")
                }

                // Every /v1 collection the server serves is documented.
                let documented = Set(operations.map(\.path))
                let links = try #require(
                    try JSONSerialization.jsonObject(with: try await Self.send("GET", base + "/v1/").body) as? [String: Any])
                for link in links["links"] as? [[String: Any]] ?? [] {
                    guard let href = link["href"] as? String, let path = URL(string: href)?.path else { continue }
                    let answer = try await Self.send("GET", base + path)
                    if !Self.isUnknownRoute(status: answer.status, body: answer.body) {
                        #expect(documented.contains(path), "GET \(path) is served but not documented")
                    }
                }
                #expect(process.isRunning, "all-in-one died:\n\(process.standardError)")
            }
        }
    }
}
