import Foundation
import PostgresNIO

/// A parsed `postgresql://user:password@host:port/database?sslmode=…` URL (also `postgres://`).
///
/// Defaults as libpq: port 5432, user `postgres`, database = user. `?host=/dir` selects a Unix socket
/// (`/dir/.s.PGSQL.<port>`). `sslmode` is `disable`, `allow`/`prefer` (default: TLS when offered, unverified),
/// `require` (TLS, unverified), `verify-ca` or `verify-full`.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// The role to log in as.
    public var user: String
    /// The password, if any.
    public var password: String?
    /// Host name or address; ignored when `socketDirectory` is set.
    public var host: String
    /// TCP port (also names the Unix socket).
    public var port: Int
    /// The database.
    public var database: String
    /// The directory of the server's Unix socket, if connecting through one.
    public var socketDirectory: String?
    /// libpq's `sslmode`.
    public var sslMode: String

    private static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// Parses a URL. - Throws: `IndexError.invalidURL`, never quoting the password.
    public init(_ string: String) throws(IndexError) {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme, scheme == "postgresql" || scheme == "postgres"
        else {
            throw IndexError(.invalidURL, "Not a postgresql:// URL")
        }
        self.user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        self.password = components.password
        self.host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        self.port = components.port ?? 5432
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? user : path
        self.sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value, Self.sslModes.contains(mode) else {
                    throw IndexError(.invalidURL, "Invalid sslmode in PostgreSQL URL: \(item.value ?? "")")
                }
                sslMode = mode
            case "host":
                guard let value = item.value, value.hasPrefix("/") else {
                    throw IndexError(.invalidURL, "The host parameter of a PostgreSQL URL must be a socket directory")
                }
                socketDirectory = value
            default:
                throw IndexError(.invalidURL, "Unknown parameter in PostgreSQL URL: \(item.name)")
            }
        }
    }

    /// The URL again, with the password masked.
    public var description: String {
        var copy = self
        if copy.password != nil { copy.password = "***" }
        return copy.urlString
    }

    /// The URL as a string (including the password).
    public var urlString: String {
        var components = URLComponents()
        components.scheme = "postgresql"
        components.user = user
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + database
        var items: [URLQueryItem] = []
        if sslMode != "prefer" { items.append(URLQueryItem(name: "sslmode", value: sslMode)) }
        if let socketDirectory { items.append(URLQueryItem(name: "host", value: socketDirectory)) }
        if !items.isEmpty { components.queryItems = items }
        return components.string ?? "postgresql://"
    }

    /// The postgres-nio client configuration for this URL.
    public var configuration: PostgresClient.Configuration {
        if let socketDirectory {
            return PostgresClient.Configuration(
                unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        }
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(unverified)
        case "verify-ca":
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            tls = .require(configuration)
        case "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(unverified)
        }
        return PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
