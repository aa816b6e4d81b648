import Foundation

/// How the evaluator authenticates to the Gnocchi API: the modes of Stratus's `/v1` (and of
/// gnocchiclient's plug-ins).
public enum GnocchiAuth: Sendable, Hashable {
    /// HTTP Basic with a user name and an empty password (`gnocchi-basic`; Stratus `auth_mode: basic`).
    case basic(user: String)
    /// A Keystone token (`X-Auth-Token`), checked by keystonemiddleware in front of the API.
    case token(String)
    /// The identity headers an authenticating proxy sets (`X-User-Id`, `X-Project-Id`, `X-Roles`;
    /// Stratus `auth_mode: keystone` / `noauth`).
    case keystoneHeaders(userID: String, projectID: String, roles: String)
    /// `X-Remote-User` (Stratus `auth_mode: remoteuser`).
    case remoteUser(String)

    /// The header fields to send.
    public var headers: [(String, String)] {
        switch self {
        case .basic(let user):
            [("Authorization", "basic " + Data((user + ":").utf8).base64EncodedString())]
        case .token(let token):
            [("X-Auth-Token", token)]
        case .keystoneHeaders(let userID, let projectID, let roles):
            [("X-User-Id", userID), ("X-Project-Id", projectID), ("X-Roles", roles)]
        case .remoteUser(let user):
            [("X-Remote-User", user)]
        }
    }
}
