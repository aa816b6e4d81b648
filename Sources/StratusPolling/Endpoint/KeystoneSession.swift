import Logging
import StratusCore

/// A Keystone v3 session: a project-scoped token obtained with the password method, and the
/// service catalog that comes with it, both reused until shortly before the token expires
/// (keystoneauth's session as Ceilometer's `[service_credentials]` builds it).
public actor KeystoneSession {
    /// A token and its catalog.
    struct Token: Sendable {
        var value: String
        /// Expiry, nanoseconds since the epoch.
        var expiresAt: Int64
        var catalog: ServiceCatalog
    }

    /// A token is renewed this long before it expires (keystoneauth's 30 s, plus margin).
    static let renewalMargin: Int64 = 60 * Timestamps.nanosecondsPerSecond

    private let credentials: ServiceCredentialsConfiguration
    private let http: EndpointHTTPClient
    private let now: @Sendable () -> Int64
    private var token: Token?

    /// Creates a session; nothing is sent until a token is needed.
    /// - Parameters:
    ///   - credentials: `[service_credentials]` with `auth_url` set.
    ///   - http: The HTTP client.
    ///   - now: The clock, nanoseconds since the epoch.
    public init(
        credentials: ServiceCredentialsConfiguration, http: EndpointHTTPClient = EndpointHTTPClient(),
        now: @escaping @Sendable () -> Int64 = { Timestamps.now() }
    ) {
        self.credentials = credentials
        self.http = http
        self.now = now
    }

    /// The token to send as `X-Auth-Token`.
    /// - Throws: ``EndpointError`` when Keystone cannot be reached or refuses the credentials.
    public func authToken() async throws(EndpointError) -> String {
        try await current().value
    }

    /// The service catalog of the token.
    /// - Throws: ``EndpointError`` when Keystone cannot be reached or refuses the credentials.
    public func catalog() async throws(EndpointError) -> ServiceCatalog {
        try await current().catalog
    }

    /// Forgets the token, so that the next call authenticates again (after a 401 from a service).
    public func invalidate() {
        token = nil
    }

    private func current() async throws(EndpointError) -> Token {
        if let token, token.expiresAt - Self.renewalMargin > now() { return token }
        let fresh = try await authenticate()
        token = fresh
        return fresh
    }

    /// `POST /v3/auth/tokens`.
    private func authenticate() async throws(EndpointError) -> Token {
        guard let authURL = credentials.authURL else {
            throw EndpointError(.authentication, "service_credentials.auth_url is not set")
        }
        let url = Self.tokensURL(authURL)
        let body = TelemetryJSON.encode(Self.requestBody(credentials))
        let response = try await http.send(
            "POST", url: url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Array(body.utf8), timeout: Double(credentials.timeout) / 1e9)
        guard response.status == 201 || response.status == 200 else {
            let code: EndpointError.Code = response.status == 401 || response.status == 403 ? .authentication : .httpStatus
            throw EndpointError(
                code, "Keystone \(url) answered \(response.status): \(Self.excerpt(response.body))", status: response.status)
        }
        guard let value = response.header("X-Subject-Token"), !value.isEmpty else {
            throw EndpointError(.authentication, "Keystone \(url) returned no X-Subject-Token header")
        }
        let document: JSONNode
        do {
            document = try JSONNodeParser.parse(response.body)
        } catch {
            throw EndpointError(.invalidResponse, "Keystone \(url) returned invalid JSON: \(error)")
        }
        guard let tokenBody = document["token"] else {
            throw EndpointError(.invalidResponse, "Keystone \(url) returned no 'token'")
        }
        let current = now()
        var expiresAt = current + 3600 * Timestamps.nanosecondsPerSecond
        if let text = tokenBody["expires_at"]?.stringValue {
            do {
                expiresAt = try Timestamps.parse(text, now: current)
            } catch {
                throw EndpointError(.invalidResponse, "Keystone \(url) returned an invalid expires_at '\(text)'")
            }
        }
        let catalog = try ServiceCatalog.from(json: tokenBody["catalog"] ?? .array([]))
        return Token(value: value, expiresAt: expiresAt, catalog: catalog)
    }

    /// `…/v3/auth/tokens` for an `auth_url` with or without `/v3`.
    static func tokensURL(_ authURL: String) -> String {
        var base = authURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v3") { base += "/v3" }
        return base + "/auth/tokens"
    }

    /// The password-method, project-scoped request body.
    static func requestBody(_ credentials: ServiceCredentialsConfiguration) -> TelemetryValue {
        var user: [String: TelemetryValue] = ["password": .string(credentials.password ?? "")]
        if let id = credentials.userID {
            user["id"] = .string(id)
        } else {
            user["name"] = .string(credentials.username ?? "")
            user["domain"] = credentials.userDomainID.map { ["id": .string($0)] } ?? ["name": .string(credentials.userDomainName)]
        }
        var project: [String: TelemetryValue] = [:]
        if let id = credentials.projectID {
            project["id"] = .string(id)
        } else {
            project["name"] = .string(credentials.projectName ?? "")
            project["domain"] =
                credentials.projectDomainID.map { ["id": .string($0)] } ?? ["name": .string(credentials.projectDomainName)]
        }
        return [
            "auth": [
                "identity": ["methods": ["password"], "password": ["user": .dictionary(user)]],
                "scope": ["project": .dictionary(project)],
            ],
        ]
    }

    /// The first 200 characters of a body, for error messages.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }
}
