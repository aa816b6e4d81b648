import Foundation
import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling, as Gnocchi's auth helpers see it.
public struct Identity: Sendable, Hashable {
    /// The user as the policy's `user:` check sees it and as metrics record it in `creator`:
    /// the Basic user name, or `<user_id>:<project_id>` in keystone mode.
    public var user: String
    public var userId: String?
    public var projectId: String?
    public var roles: Set<String>

    public init(user: String, userId: String? = nil, projectId: String? = nil, roles: Set<String> = []) {
        self.user = user
        self.userId = userId
        self.projectId = projectId
        self.roles = roles
    }

    public var isAdmin: Bool { roles.contains("admin") }
    public var isService: Bool { roles.contains("service") }
}

/// How identities are established (`[api] auth_mode`).
public enum AuthMode: String, Sendable, CaseIterable {
    /// HTTP Basic user name, password ignored; `admin` gets the admin role (Gnocchi's default).
    case basic
    /// `X-User-Id`, `X-Project-Id`, `X-Roles` set by an authenticating proxy (keystonemiddleware) in front.
    case keystone
    /// The `X-Remote-User` header set by a front-end server that authenticated the user.
    case remoteuser
    /// Everyone is `admin`: local development only.
    case noauth

    /// The identity of a request.
    /// - Throws: `APIError` 401 when the mode needs credentials the request lacks.
    public func identity(of request: Request) throws(APIError) -> Identity {
        switch self {
        case .noauth:
            return Identity(user: "admin", roles: ["admin"])
        case .basic:
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
                  let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: decoded, encoding: .utf8) else {
                throw APIError(.unauthorized, "Unable to find HTTP Basic authentication credentials",
                               headers: [.wwwAuthenticate: "Basic realm=\"gnocchi\""])
            }
            let user = String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            guard !user.contains("\u{0}") else {
                throw APIError(.unauthorized, "Unable to find HTTP Basic authentication credentials")
            }
            return Identity(user: user, roles: user == "admin" ? ["admin"] : [])
        case .remoteuser:
            guard let user = request.headers[HTTPField.Name("X-Remote-User")!], !user.isEmpty else {
                throw APIError(.unauthorized, "Unable to find REMOTE_USER")
            }
            return Identity(user: user, roles: user == "admin" ? ["admin"] : [])
        case .keystone:
            let userId = request.headers[HTTPField.Name("X-User-Id")!]
            let projectId = request.headers[HTTPField.Name("X-Project-Id")!]
            guard userId != nil || projectId != nil else {
                throw APIError(.unauthorized, "Authentication required")
            }
            let roles = (request.headers[HTTPField.Name("X-Roles")!] ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return Identity(user: (userId ?? "") + ":" + (projectId ?? ""), userId: userId, projectId: projectId, roles: Set(roles))
        }
    }
}
