import Foundation
import Logging

/// Opens the alarm store that lives in the index database.
public enum AlarmStores {
    /// The store for an indexer URL: `sqlite:///absolute/path.db` (the index's file), `sqlite::memory:` (a private,
    /// already upgraded in-memory store) or `postgresql://…` / `postgres://…` (the index's database).
    /// - Parameter connections: the pool's size and caches (``AlarmStoreConnections/evaluator`` for `stratus evaluator`).
    /// - Throws: `AlarmStoreError.invalidURL` for another scheme or a relative path; `.database` when the file
    ///   cannot be opened.
    public static func open(
        indexerURL url: String, connections: AlarmStoreConnections = .standard,
        logger: Logger = Logger(label: "stratus.alarms")
    ) async throws -> any AlarmDatabase {
        if url == "sqlite::memory:" {
            return try await SQLiteAlarmStore.inMemory(logger: logger)
        }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard path.hasPrefix("/") else {
                throw AlarmStoreError(.invalidURL, "The SQLite indexer URL needs an absolute path: sqlite:///path/to/index.db")
            }
            return try SQLiteAlarmStore(path: path.removingPercentEncoding ?? path, connections: connections, logger: logger)
        }
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            return try PostgresAlarmStore(url: url, connections: connections, logger: logger)
        }
        let scheme = url.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        throw AlarmStoreError(.invalidURL, "Unsupported indexer URL scheme \"\(scheme)\": use sqlite:// or postgresql://")
    }
}

extension AlarmStores {
    /// Opens the store of an indexer URL and creates or migrates its tables (what `stratus api`,
    /// `stratus all-in-one` and `stratus upgrade` do).
    /// - Throws: `AlarmStoreError`.
    public static func openUpgraded(indexerURL url: String, logger: Logger = Logger(label: "stratus.alarms")) async throws
        -> any AlarmDatabase
    {
        let store = try await open(indexerURL: url, logger: logger)
        do {
            try await store.upgrade()
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }

    /// Creates or migrates the alarm tables of an indexer URL, then closes the store (`stratus upgrade`).
    /// - Throws: `AlarmStoreError`.
    public static func upgrade(indexerURL url: String, logger: Logger = Logger(label: "stratus.alarms")) async throws {
        let store = try await openUpgraded(indexerURL: url, logger: logger)
        try await store.close()
        logger.debug("Alarm tables upgraded")
    }
}
