import ArgumentParser
import Foundation

/// How client commands print their results.
enum ClientOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Aligned tables with `+---+` borders, as the OpenStack CLI (cliff) prints them.
    case table
    /// Indented JSON.
    case json
}

/// Options every client command takes: where the API is, who asks, and how to print the answer.
struct ClientOptions: ParsableArguments {
    /// The endpoint when neither `--endpoint` nor the environment names one (Gnocchi's default port).
    static let defaultEndpoint = "http://127.0.0.1:8041"

    @Option(help: ArgumentHelp(
        "The Gnocchi API endpoint (default: $STRATUS_ENDPOINT, then $GNOCCHI_ENDPOINT, then \(defaultEndpoint)).",
        valueName: "url"))
    var endpoint: String?

    @Option(help: ArgumentHelp("The HTTP Basic user name (default: $STRATUS_USER, then admin).", valueName: "name"))
    var user: String?

    @Option(name: [.customShort("f"), .long], help: "Output format: table or json.")
    var format: ClientOutputFormat = .table

    func validate() throws {
        let endpoint = Self.endpoint(option: endpoint, environment: ProcessInfo.processInfo.environment)
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw ValidationError("--endpoint must be an http:// or https:// URL, not '\(endpoint)'")
        }
    }

    /// The endpoint: `--endpoint`, then `STRATUS_ENDPOINT`, then `GNOCCHI_ENDPOINT`, then ``defaultEndpoint``.
    static func endpoint(option: String?, environment: [String: String]) -> String {
        let candidates = [option, environment["STRATUS_ENDPOINT"], environment["GNOCCHI_ENDPOINT"]]
        return candidates.compactMap { $0 }.first { !$0.isEmpty } ?? defaultEndpoint
    }

    /// The user: `--user`, then `STRATUS_USER`, then `admin`.
    static func user(option: String?, environment: [String: String]) -> String {
        [option, environment["STRATUS_USER"]].compactMap { $0 }.first { !$0.isEmpty } ?? "admin"
    }

    /// The HTTP client these options describe.
    func makeClient() -> GnocchiHTTPClient {
        let environment = ProcessInfo.processInfo.environment
        // `validate()` checked the endpoint parses.
        let url = URL(string: Self.endpoint(option: endpoint, environment: environment))!
        return GnocchiHTTPClient(endpoint: url, user: Self.user(option: user, environment: environment))
    }

    /// Runs `body` against the API and prints what it returns in ``format``.
    ///
    /// A `ClientError` (an error answer or an unreachable endpoint) is printed on standard error as
    /// gnocchiclient prints it, and the command exits with status 1.
    func perform(_ body: (GnocchiHTTPClient) async throws -> ClientOutput?) async throws {
        do {
            if let output = try await body(makeClient()) {
                print(output.rendered(as: format), terminator: "")
            }
        } catch let error as ClientError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
