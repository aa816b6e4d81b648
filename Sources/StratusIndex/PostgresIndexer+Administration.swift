import Foundation
import Logging
import PostgresNIO

extension PostgresIndexer {
    /// Creates database `name` on the server of `serverURL` (connecting to that URL's database).
    /// - Throws: `IndexError.invalidURL`, `IndexError.database` (for example when it exists).
    public static func createDatabase(named name: String, serverURL: String, logger: Logger = Logger(label: "stratus.index")) async throws {
        try await withTemporaryClient(serverURL, logger: logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoteIdentifier(name))"), logger: logger)
        }
    }

    /// Drops database `name` if it exists, closing other sessions on it (PostgreSQL 13+).
    /// - Throws: `IndexError.invalidURL`, `IndexError.database`.
    public static func dropDatabase(named name: String, serverURL: String, logger: Logger = Logger(label: "stratus.index")) async throws {
        try await withTemporaryClient(serverURL, logger: logger) { client in
            try await client.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)"), logger: logger)
        }
    }

    /// `name` as a double-quoted SQL identifier.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Runs `body` with a client that runs only for its duration, in a structured child task.
    private static func withTemporaryClient(
        _ url: String, logger: Logger, _ body: @escaping @Sendable (PostgresClient) async throws -> Void
    ) async throws {
        let client = PostgresClient(configuration: try PostgresURL(url).configuration, backgroundLogger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if #available(macOS 26.0, iOS 26.0, tvOS 26.0, watchOS 26.0, visionOS 26.0, *) {
                    group.addImmediateTask { await client.run() }
                } else {
                    group.addTask { await client.run() }
                }
                defer { group.cancelAll() }
                try await body(client)
            }
        } catch let error as IndexError {
            throw error
        } catch let error as PSQLError {
            let info = error.serverInfo
            throw IndexError.database("PostgreSQL error \(info?[.sqlState] ?? "\(error.code)"): \(info?[.message] ?? "")")
        } catch {
            throw IndexError.database("PostgreSQL error: \(error)")
        }
    }
}
