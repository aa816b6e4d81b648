import Foundation
import GRDB
import PostgresNIO
@testable import StratusIndex
import StratusTesting
import Testing

/// `SearchSQLCompiler` executed on real tables: an in-memory SQLite database (GRDB) and, when
/// `STRATUS_TEST_POSTGRES_URL` is set, a temporary PostgreSQL database. Every case runs on both and must select
/// the same rows.
@Suite struct SearchSQLCompilerTests {
    static let creator = "u1:p1"
    static let derived = ResourceIdentifier.uuid5(namespace: ResourceIdentifier.namespace, name: "host-3\u{0}u1:p1")
    static let ids: [String: UUID] = [
        "a": UUID(uuidString: "11111111-1111-4111-8111-111111111111")!,
        "b": UUID(uuidString: "22222222-2222-4222-8222-222222222222")!,
        "c": derived,
        "d": UUID(uuidString: "44444444-4444-4444-8444-444444444444")!,
    ]
    static let hour: Int64 = 3_600_000_000_000
    static let t2020: Int64 = 1_577_836_800_000_000_000  // 2020-01-01T00:00:00Z

    /// label, id, name, flavor, enabled, started_at, ended_at, creator, revision
    static let rows: [(String, UUID, String?, Double?, Bool?, Int64, Int64?, String, Int64)] = [
        ("a", ids["a"]!, "alpha", 1.0, true, t2020, t2020 + hour, "u1:p1", 1),
        ("b", ids["b"]!, "Beta", 2.5, false, t2020 + 24 * hour, nil, "u2:p1", 2),
        ("c", ids["c"]!, nil, nil, nil, t2020 + 366 * 24 * hour, t2020 + 366 * 24 * hour + 2 * hour, "u1:p2", 3),
        ("d", ids["d"]!, "al_pha%*", 10, true, t2020 + 800 * 24 * hour, nil, "u3:p3", 4),
    ]

    /// Every column of the test table by attribute name.
    static let columns: [String: SearchColumn.Kind] = [
        "id": .uuid, "name": .string, "flavor": .number, "enabled": .bool, "started_at": .datetime(.epochNanoseconds),
        "ended_at": .datetime(.epochNanoseconds), "creator": .string, "revision": .integer,
        "seen": .datetime(.epochSeconds),
    ]

    static func compiler(_ dialect: SearchSQLDialect, offset: Int = 0) -> SearchSQLCompiler {
        SearchSQLCompiler(
            dialect: dialect, placeholderOffset: offset, now: t2020 + 1000 * 24 * hour,
            convertUUID: { try ResourceIdentifier.uuid($0, creator: creator) },
            resolve: { name in
                guard let kind = columns[name] else { throw SearchError.unknownAttribute(resourceType: "thing", attribute: name) }
                return SearchColumn("item.\(name)", kind)
            })
    }

    /// The cases: a query and the labels of the rows it selects.
    static let cases: [(SearchExpression, Set<String>)] = [
        (.equal("name", .string("alpha")), ["a"]),
        (.comparison(.equal, attribute: "name", value: .null), ["c"]),
        (.comparison(.notEqual, attribute: "name", value: .string("alpha")), ["b", "c", "d"]),
        (.comparison(.notEqual, attribute: "name", value: .null), ["a", "b", "d"]),
        (.comparison(.lessThan, attribute: "flavor", value: .integer(3)), ["a", "b"]),
        (.comparison(.lessThanOrEqual, attribute: "flavor", value: .string("2.5")), ["a", "b"]),
        (.comparison(.greaterThan, attribute: "flavor", value: .number(2.5)), ["d"]),
        (.comparison(.greaterThanOrEqual, attribute: "flavor", value: .bool(true)), ["a", "b", "d"]),
        (.comparison(.lessThan, attribute: "flavor", value: .null), []),
        (.not(.comparison(.lessThan, attribute: "flavor", value: .null)), []),
        (.comparison(.in, attribute: "name", value: .list([.string("alpha"), .string("Beta"), .string("x")])), ["a", "b"]),
        (.comparison(.in, attribute: "flavor", value: .list([.integer(1), .string("10")])), ["a", "d"]),
        (.comparison(.in, attribute: "name", value: .list([])), []),
        (.comparison(.like, attribute: "name", value: .string("al%")), ["a", "d"]),
        (.comparison(.like, attribute: "name", value: .string("AL%")), []),
        (.comparison(.like, attribute: "name", value: .string("_eta")), ["b"]),
        (.comparison(.like, attribute: "name", value: .string("al\\_pha\\%*")), ["d"]),
        (.comparison(.like, attribute: "name", value: .string("%*")), ["d"]),
        (.comparison(.like, attribute: "id", value: .string("1111%")), ["a"]),
        (.equal("enabled", .bool(true)), ["a", "d"]),
        (.equal("enabled", .string("false")), ["b"]),
        (.comparison(.notEqual, attribute: "enabled", value: .bool(true)), ["b", "c"]),
        (.equal("id", .string("22222222-2222-4222-8222-222222222222")), ["b"]),
        (.equal("id", .string("22222222222242228222222222222222")), ["b"]),
        (.equal("id", .string("host-3")), ["c"]),
        (.comparison(.in, attribute: "id", value: .list([.string("host-3"), .string("11111111-1111-4111-8111-111111111111")])), ["a", "c"]),
        (.comparison(.greaterThan, attribute: "started_at", value: .string("2020-01-01T12:00:00Z")), ["b", "c", "d"]),
        (.comparison(.lessThan, attribute: "started_at", value: .string("2021-01-01")), ["a", "b"]),
        // A bare number is epoch seconds, as in Gnocchi's to_timestamp.
        (.comparison(.lessThan, attribute: "started_at", value: .string("2021")), []),
        (.comparison(.greaterThanOrEqual, attribute: "started_at", value: .integer(1_577_836_800)), ["a", "b", "c", "d"]),
        (.comparison(.greaterThan, attribute: "started_at", value: .string("-500 days")), ["d"]),
        (.comparison(.greaterThan, attribute: "started_at", value: .datetime(t2020 + hour)), ["b", "c", "d"]),
        (.equal("ended_at", .null), ["b", "d"]),
        (.comparison(.equal, attribute: "revision", value: .number(2.7)), ["b"]),
        (.comparison(.greaterThan, attribute: "revision", value: .string("2")), ["c", "d"]),
        (.comparison(.greaterThan, attribute: "lifespan", value: .integer(3600)), ["c"]),
        (.comparison(.greaterThanOrEqual, attribute: "lifespan", value: .string("1 hour")), ["a", "c"]),
        (.comparison(.equal, attribute: "lifespan", value: .number(7200)), ["c"]),
        (.comparison(.in, attribute: "lifespan", value: .list([.string("1h"), .integer(60)])), ["a"]),
        (.equal("created_by_user_id", .string("u1")), ["a", "c"]),
        (.equal("created_by_project_id", .string("p1")), ["a", "b"]),
        (.comparison(.notEqual, attribute: "created_by_project_id", value: .string("p1")), ["c", "d"]),
        (.comparison(.like, attribute: "created_by_user_id", value: .string("u%")), ["a", "b", "c", "d"]),
        (.and([.equal("enabled", .bool(true)), .comparison(.lessThan, attribute: "flavor", value: .integer(5))]), ["a"]),
        (.or([.equal("name", .string("Beta")), .equal("revision", .integer(4))]), ["b", "d"]),
        // SQL's three-valued logic, as in Gnocchi: c's NULL name makes the OR unknown, and NOT unknown is unknown.
        (.not(.or([.equal("name", .string("Beta")), .equal("revision", .integer(4))])), ["a"]),
        (.and([]), ["a", "b", "c", "d"]),
        (.or([]), ["a", "b", "c", "d"]),
        (.and([.or([.equal("name", .string("alpha")), .equal("name", .null)]), .not(.equal("revision", .integer(3)))]), ["a"]),
        (.comparison(.equal, attribute: "name", value: .integer(5)), []),
        (.comparison(.equal, attribute: "seen", value: .null), ["a", "b", "c", "d"]),
    ]

    /// The labels a compiled query selects.
    protocol Table {
        func labels(_ expression: SearchExpression) async throws -> Set<String>
    }

    struct SQLiteTable: Table {
        let queue: DatabaseQueue

        init() throws {
            queue = try DatabaseQueue()
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE item (label TEXT, id TEXT, name TEXT, flavor REAL, enabled BOOLEAN,
                        started_at INTEGER, ended_at INTEGER, creator TEXT, revision INTEGER, seen REAL)
                    """)
                for row in SearchSQLCompilerTests.rows {
                    try db.execute(
                        sql: "INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        arguments: [row.0, row.1.uuidString.lowercased(), row.2, row.3, row.4, row.5, row.6, row.7, row.8])
                }
            }
        }

        func labels(_ expression: SearchExpression) async throws -> Set<String> {
            let fragment = try SearchSQLCompilerTests.compiler(.sqlite).compile(expression)
            return try await queue.read { db in
                Set(try String.fetchAll(db, sql: "SELECT label FROM item WHERE " + fragment.sql, arguments: fragment.sqliteArguments))
            }
        }
    }

    struct PostgresTable: Table {
        let indexer: PostgresIndexer

        static func create(_ indexer: PostgresIndexer) async throws -> PostgresTable {
            try await indexer.withConnection { connection in
                try await connection.query("""
                    CREATE TABLE item (label TEXT, id UUID, name TEXT COLLATE "C", flavor DOUBLE PRECISION,
                        enabled BOOLEAN, started_at BIGINT, ended_at BIGINT, creator TEXT COLLATE "C", revision BIGINT,
                        seen DOUBLE PRECISION)
                    """, logger: indexer.logger)
                for row in SearchSQLCompilerTests.rows {
                    try await connection.query(
                        "INSERT INTO item VALUES (\(row.0), \(row.1), \(row.2), \(row.3), \(row.4), \(row.5), \(row.6), \(row.7), \(row.8), NULL)",
                        logger: indexer.logger)
                }
            }
            return PostgresTable(indexer: indexer)
        }

        func labels(_ expression: SearchExpression) async throws -> Set<String> {
            // One bound parameter before the fragment, to check placeholder numbering.
            let fragment = try SearchSQLCompilerTests.compiler(.postgresql, offset: 1).compile(expression)
            var bindings = PostgresBindings()
            bindings.append("a")
            fragment.appendArguments(to: &bindings)
            let sql = "SELECT label FROM item WHERE (label = $1 OR label <> $1) AND " + fragment.sql
            return try await indexer.withConnection { connection in
                var labels: Set<String> = []
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: indexer.logger)
                for try await row in rows { labels.insert(try row.decode(String.self)) }
                return labels
            }
        }
    }

    static func check(_ table: some Table) async throws {
        for (expression, expected) in cases {
            let labels = try await table.labels(expression)
            #expect(labels == expected, "\(expression)")
        }
    }

    @Test func sqliteSelectsTheExpectedRows() async throws {
        try await Self.check(try SQLiteTable())
    }

    @Test(.enabled(if: IndexConformance.postgresURL != nil, "STRATUS_TEST_POSTGRES_URL is not set"))
    func postgresSelectsTheExpectedRows() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try PostgresIndexer(url: url)
            do {
                try await Self.check(try await PostgresTable.create(indexer))
            } catch {
                try? await indexer.close()
                throw error
            }
            try await indexer.close()
        }
    }

    @Test func deepAndWideQueriesRunOrAreRefused() async throws {
        let sqlite = try SQLiteTable()
        var deep = SearchExpression.equal("name", .string("alpha"))
        for _ in 0..<255 { deep = .not(.not(deep)) }  // 510 levels: the deepest the JSON parser lets through
        #expect(try await sqlite.labels(deep) == ["a"])
        // Alternating and/or/not cannot be merged: the deepest allowed runs, one more level is refused.
        func alternating(_ levels: Int) -> SearchExpression {
            var query = SearchExpression.equal("name", .string("alpha"))
            for level in 0..<levels {
                switch level % 3 {
                case 0: query = .or([query, .equal("revision", .integer(99))])
                case 1: query = .and([query, .comparison(.notEqual, attribute: "revision", value: .integer(98))])
                default: query = .not(.not(.not(query)))
                }
            }
            return query
        }
        _ = try await sqlite.labels(alternating(SearchSQLCompiler.maximumDepth))
        #expect(throws: SearchError.self) { try Self.compiler(.sqlite).compile(alternating(SearchSQLCompiler.maximumDepth + 1)) }
        let wide = SearchExpression.comparison(
            .in, attribute: "revision", value: .list((0..<SearchSQLCompiler.maximumArguments).map { .integer(Int64($0)) }))
        #expect(try await sqlite.labels(wide) == ["a", "b", "c", "d"])
        let tooWide = SearchExpression.comparison(
            .in, attribute: "revision", value: .list((0...SearchSQLCompiler.maximumArguments).map { .integer(Int64($0)) }))
        #expect(throws: SearchError.self) { try Self.compiler(.postgresql).compile(tooWide) }
    }

    // MARK: - Errors and SQL shape

    @Test func unknownAttributeIsTheResolversError() throws {
        #expect(throws: SearchError.unknownAttribute(resourceType: "thing", attribute: "nope")) {
            try Self.compiler(.sqlite).compile(.equal("nope", .integer(1)))
        }
        #expect(throws: SearchError.self) { try Self.compiler(.sqlite).compile(.and([.equal("name", .null), .equal("x", .null)])) }
    }

    @Test(arguments: [
        (SearchExpression.equal("flavor", .string("big")), "Invalid value: `big' for field `flavor'"),
        (.equal("revision", .string("2.5")), "Invalid value: `2.5' for field `revision'"),
        (.equal("enabled", .string("maybe")), "Invalid value: `maybe' for field `enabled'"),
        (.equal("started_at", .string("yesterday-ish")), "Invalid value: `yesterday-ish' for field `started_at'"),
        (.equal("started_at", .bool(true)), "Invalid value: `True' for field `started_at'"),
        (.equal("id", .string("a/b")), "Invalid value: `a/b' for field `id'"),
        (.equal("id", .integer(3)), "Invalid value: `3' for field `id'"),
        (.equal("name", .list([.integer(1)])), "Invalid value: `[1]' for field `name'"),
        (.comparison(.in, attribute: "name", value: .string("x")), "Invalid value: `x' for field `name'"),
        (.comparison(.like, attribute: "flavor", value: .integer(1)), "Invalid value: `1' for field `flavor'"),
        (.equal("lifespan", .string("forever")), "Invalid value: `forever' for field `lifespan'"),
        (.equal("lifespan", .integer(-5)), "Invalid value: `-5' for field `lifespan'"),
        (.comparison(.like, attribute: "lifespan", value: .integer(5)), "Invalid value: `5' for field `lifespan'"),
        (.comparison(.lessThan, attribute: "created_by_user_id", value: .string("u")), "Invalid value: `u' for field `created_by_user_id'"),
        (.comparison(.in, attribute: "name", value: .list([.list([])])), "Invalid value: `[]' for field `name'"),
    ])
    func invalidValuesAreTypedErrors(_ expression: SearchExpression, _ message: String) throws {
        for dialect in [SearchSQLDialect.sqlite, .postgresql] {
            do {
                _ = try Self.compiler(dialect).compile(expression)
                Issue.record("compiled \(expression)")
            } catch let error as SearchError {
                #expect(error.code == .invalidValue)
                #expect(error.message == message)
            }
        }
    }

    @Test func placeholdersFollowTheDialect() throws {
        let expression = SearchExpression.and([.equal("name", .string("x")), .comparison(.notEqual, attribute: "flavor", value: .integer(2))])
        let sqlite = try Self.compiler(.sqlite).compile(expression)
        #expect(sqlite.sql == "(item.name = ? AND (item.flavor IS NULL OR item.flavor <> ?))")
        #expect(sqlite.arguments == [.text("x"), .double(2)])
        let postgres = try Self.compiler(.postgresql, offset: 3).compile(expression)
        #expect(postgres.sql == "(item.name = $4 AND (item.flavor IS NULL OR item.flavor <> $5))")
        #expect(try Self.compiler(.sqlite).compile(nil as SearchExpression?).sql == "1 = 1")
    }

    @Test func stringAttributesCompareWithPythonStr() throws {
        let compiler = Self.compiler(.sqlite)
        #expect(try compiler.compile(.equal("name", .integer(5))).arguments == [.text("5")])
        #expect(try compiler.compile(.equal("name", .number(5))).arguments == [.text("5.0")])
        #expect(try compiler.compile(.equal("name", .number(1e-5))).arguments == [.text("1e-05")])
        #expect(try compiler.compile(.equal("name", .number(1e16))).arguments == [.text("1e+16")])
        #expect(try compiler.compile(.equal("name", .bool(true))).arguments == [.text("True")])
    }

    @Test func likeBecomesACaseSensitiveGlobInSQLite() {
        #expect(SearchSQLCompiler.glob(fromLike: "a%b_c") == "a*b?c")
        #expect(SearchSQLCompiler.glob(fromLike: "[x]*?") == "[[]x][*][?]")
        #expect(SearchSQLCompiler.glob(fromLike: "100\\%") == "100%")
    }

    @Test func timestampEncodingsBindTheirUnit() throws {
        let seconds = try Self.compiler(.sqlite).compile(.equal("seen", .integer(10)))
        #expect(seconds.arguments == [.double(10)])
        let native = SearchSQLCompiler(dialect: .postgresql) { _ in SearchColumn("t", .datetime(.timestamptz)) }
        #expect(try native.compile(.equal("t", .integer(10))).arguments == [.timestamp(10_000_000_000)])
        #expect(try native.compile(.equal("lifespan", .integer(60))).sql == "EXTRACT(EPOCH FROM (t - t)) = $1")
    }
}
