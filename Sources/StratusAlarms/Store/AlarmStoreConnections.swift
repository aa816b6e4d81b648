/// How many database connections an alarm store keeps, and how much each caches: the API's defaults, or the
/// small set of the evaluator (one reader at a time reads the due alarms page by page; claims and transitions go
/// through the single writer).
public struct AlarmStoreConnections: Sendable, Hashable {
    /// Most concurrent SQLite readers of the pool; nil for GRDB's default (5).
    public var maximumSQLiteReaders: Int?
    /// Page cache of each SQLite connection in KiB (`PRAGMA cache_size = -N`); nil for SQLite's default (2,000 KiB).
    public var sqliteCacheKiB: Int?
    /// Most PostgreSQL connections of the pool; nil for the index URL's setting.
    public var maximumPostgresConnections: Int?

    /// Creates a setting; nil leaves the driver's default.
    public init(maximumSQLiteReaders: Int? = nil, sqliteCacheKiB: Int? = nil, maximumPostgresConnections: Int? = nil) {
        self.maximumSQLiteReaders = maximumSQLiteReaders.map { max(1, $0) }
        self.sqliteCacheKiB = sqliteCacheKiB.map { max(1, $0) }
        self.maximumPostgresConnections = maximumPostgresConnections.map { max(1, $0) }
    }

    /// The drivers' defaults (the API, all-in-one's shared store).
    public static let standard = AlarmStoreConnections()

    /// `stratus evaluator`: two SQLite readers with 256 KiB caches (instead of five with 2,000 KiB), and at most
    /// 8 PostgreSQL connections. A round reads each due alarm once, in order, and writes each claimed alarm once, so
    /// a larger cache holds pages that are not read again.
    public static let evaluator = AlarmStoreConnections(
        maximumSQLiteReaders: 2, sqliteCacheKiB: 256, maximumPostgresConnections: 8)
}
