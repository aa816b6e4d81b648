import Foundation
import Logging

/// Opens the indexer of a URL: `sqlite:///absolute/path.db`, `sqlite::memory:` or `postgresql://…` (`postgres://`).
/// - Throws: `IndexError.invalidURL` for another scheme or a relative SQLite path; `IndexError.database`
///   when the SQLite file cannot be opened. PostgreSQL connects lazily, on first use.
public func makeIndexer(url: String, logger: Logger = Logger(label: "stratus.index")) throws -> any Indexer {
    if url == "sqlite::memory:" {
        return try SQLiteIndexer.inMemory(logger: logger)
    }
    if url.hasPrefix("sqlite://") {
        let path = String(url.dropFirst("sqlite://".count))
        guard path.hasPrefix("/") else {
            throw IndexError(.invalidURL, "The SQLite indexer URL needs an absolute path: sqlite:///path/to/index.db")
        }
        return try SQLiteIndexer(path: path.removingPercentEncoding ?? path, logger: logger)
    }
    if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
        return try PostgresIndexer(url: url, logger: logger)
    }
    let scheme = url.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
    throw IndexError(.invalidURL, "Unsupported indexer URL scheme \"\(scheme)\": use sqlite:// or postgresql://")
}
