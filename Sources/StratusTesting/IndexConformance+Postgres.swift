import Foundation
import StratusIndex

extension IndexConformance {
    /// The PostgreSQL server tests may use: env `STRATUS_TEST_POSTGRES_URL` (see `scripts/test-postgres.sh`), or nil.
    public static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["STRATUS_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// Runs `body` with the URL of a fresh database on the `postgresURL` server, dropped afterwards (even on error).
    /// - Throws: `IndexError.invalidURL` when the variable is unset or invalid; `body`'s error.
    public static func withTemporaryPostgresDatabase<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (String) async throws -> T
    ) async throws -> T {
        guard let server = postgresURL else {
            throw IndexError(.invalidURL, "STRATUS_TEST_POSTGRES_URL is not set")
        }
        var url = try PostgresURL(server)
        let name = "stratus_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await PostgresIndexer.createDatabase(named: name, serverURL: server)
        url.database = name
        do {
            let result = try await body(url.urlString)
            try await PostgresIndexer.dropDatabase(named: name, serverURL: server)
            return result
        } catch {
            try? await PostgresIndexer.dropDatabase(named: name, serverURL: server)
            throw error
        }
    }
}
