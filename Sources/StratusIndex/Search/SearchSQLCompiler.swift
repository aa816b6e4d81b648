import Foundation
import StratusCore

/// The SQL dialect a search is compiled for.
public enum SearchSQLDialect: Sendable, Hashable {
    /// SQLite: `?` placeholders, LIKE evaluated case-sensitively (through GLOB).
    case sqlite
    /// PostgreSQL: `$n` placeholders.
    case postgresql
}

/// How a datetime attribute is stored, so that compared values are bound in the same unit.
public enum SearchTimestampEncoding: Sendable, Hashable {
    /// INTEGER / BIGINT nanoseconds since the Unix epoch.
    case epochNanoseconds
    /// REAL / DOUBLE PRECISION seconds since the Unix epoch.
    case epochSeconds
    /// PostgreSQL `TIMESTAMP WITH TIME ZONE` (bound as `SearchArgument.timestamp`).
    case timestamptz
}

/// One searchable attribute: the SQL expression that reads it and its type, which decides how values convert.
public struct SearchColumn: Sendable, Hashable {
    /// The attribute's type, as resource types declare them (plus the integer `revision`).
    public enum Kind: Sendable, Hashable {
        /// Text: values compared as Python `str(value)`.
        case string
        /// UUID: a UUID string, or any other string converted by the compiler's `convertUUID` (resource ids).
        /// In SQLite the column holds the lowercase canonical text; in PostgreSQL the `UUID` type.
        case uuid
        /// Floating-point number: values converted as Python `float(value)`.
        case number
        /// Integer: values converted as Python `int(value)`.
        case integer
        /// Boolean (0/1 in SQLite).
        case bool
        /// Point in time, stored as the encoding says; values parsed as Gnocchi's `to_datetime`.
        case datetime(SearchTimestampEncoding)
    }

    /// SQL that reads the attribute (`"r.started_at"`, `"t.flavor_id"`); inserted as is, never from user input.
    public var sql: String
    /// The attribute's type.
    public var kind: Kind

    /// Creates a column.
    public init(_ sql: String, _ kind: Kind) {
        self.sql = sql
        self.kind = kind
    }
}

/// A value bound to one placeholder of a compiled search.
public enum SearchArgument: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    /// Bound as lowercase text in SQLite and as `UUID` in PostgreSQL.
    case uuid(UUID)
    /// Nanoseconds since the epoch; bound as `Date` (timestamptz) in PostgreSQL, as an integer in SQLite.
    case timestamp(Int64)
    case null
}

/// A compiled search: a boolean SQL expression to put after `WHERE` (or `AND`) and its arguments in order.
public struct SearchSQLFragment: Sendable, Hashable {
    /// The condition, parenthesised where needed; `1 = 1` for an always-true query.
    public var sql: String
    /// The values of its placeholders, in order.
    public var arguments: [SearchArgument]

    /// Creates a fragment.
    public init(sql: String, arguments: [SearchArgument]) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// Compiles a `SearchExpression` into a SQL condition for SQLite or PostgreSQL, with Gnocchi's semantics
/// (`QueryTransformer`): values converted to the attribute's type, `!=` also matching NULL, `= null` as
/// `IS NULL`, the magic `lifespan` (`ended_at - started_at`) and `created_by_user_id` /
/// `created_by_project_id` (matched inside `creator`).
///
/// The resolver maps an attribute name to its column; it throws (typically
/// `SearchError.unknownAttribute(resourceType:attribute:)`) for an unknown one. Errors it throws propagate
/// unchanged; every other failure is a `SearchError`.
public struct SearchSQLCompiler: Sendable {
    /// The SQL dialect.
    public var dialect: SearchSQLDialect
    /// Maps an attribute name to its column; throws for an unknown attribute.
    public var resolve: @Sendable (String) throws -> SearchColumn
    /// Converts a string that is not a UUID for a `.uuid` attribute (Gnocchi's `ResourceUUID`: uuid5 per
    /// creator); nil, or a thrown error, makes it an invalid value.
    public var convertUUID: (@Sendable (String) throws -> UUID)?
    /// The current time in nanoseconds since the epoch, for relative datetimes (`"-2 days"`, `"now"`).
    public var now: Int64
    /// Number of placeholders that come before the fragment in the statement (PostgreSQL `$n` numbering).
    public var placeholderOffset: Int

    /// Creates a compiler.
    /// - Parameters:
    ///   - dialect: SQLite or PostgreSQL.
    ///   - placeholderOffset: PostgreSQL placeholders start at `$(placeholderOffset + 1)`.
    ///   - now: The current time (ns since the epoch) for relative datetimes.
    ///   - convertUUID: Conversion of non-UUID strings for `.uuid` attributes.
    ///   - resolve: Attribute name → column; throws for an unknown attribute.
    public init(
        dialect: SearchSQLDialect,
        placeholderOffset: Int = 0,
        now: Int64 = Timestamps.now(),
        convertUUID: (@Sendable (String) throws -> UUID)? = nil,
        resolve: @escaping @Sendable (String) throws -> SearchColumn
    ) {
        self.dialect = dialect
        self.placeholderOffset = placeholderOffset
        self.now = now
        self.convertUUID = convertUUID
        self.resolve = resolve
    }

    /// The most values one query may bind: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters, so
    /// that a huge `in` list is a 400, not a database error.
    public static let maximumArguments = 10_000

    /// Compiles a query into a condition and its arguments.
    /// - Throws: `SearchError` (`.invalidValue`, `.invalidQuery` — also for more than `maximumArguments`
    ///   values), or what `resolve` throws.
    public func compile(_ expression: SearchExpression) throws -> SearchSQLFragment {
        var builder = Builder(dialect: dialect, offset: placeholderOffset)
        let sql = try condition(expression, &builder)
        guard builder.arguments.count <= Self.maximumArguments else {
            throw SearchError(.invalidQuery, "Too many values in this query: at most \(Self.maximumArguments)")
        }
        return SearchSQLFragment(sql: sql, arguments: builder.arguments)
    }

    /// Compiles an optional query; nil compiles to the always-true `1 = 1`.
    public func compile(_ expression: SearchExpression?) throws -> SearchSQLFragment {
        guard let expression else { return SearchSQLFragment(sql: "1 = 1", arguments: []) }
        return try compile(expression)
    }

    // MARK: - Tree

    struct Builder {
        let dialect: SearchSQLDialect
        let offset: Int
        var arguments: [SearchArgument] = []

        init(dialect: SearchSQLDialect, offset: Int) {
            self.dialect = dialect
            self.offset = offset
        }

        mutating func bind(_ argument: SearchArgument) -> String {
            arguments.append(argument)
            return dialect == .sqlite ? "?" : "$\(offset + arguments.count)"
        }
    }

    /// The deepest nesting of `and`/`or`/`not` a query may have once simplified (`and` in `and` and `or` in
    /// `or` merged, `not not` dropped): SQLite's parser gives up at about 40 nested parentheses.
    public static let maximumDepth = 20

    private func condition(_ expression: SearchExpression, _ builder: inout Builder, depth: Int = 0) throws -> String {
        func nested(_ operands: [SearchExpression], _ separator: String) throws -> String {
            if operands.isEmpty { return "1 = 1" }
            if operands.count == 1 { return try condition(operands[0], &builder, depth: depth) }
            guard depth < Self.maximumDepth else { throw Self.tooDeep }
            let parts = try operands.map { try condition($0, &builder, depth: depth + 1) }
            return "(" + parts.joined(separator: separator) + ")"
        }
        switch expression {
        case .and(let operands):
            return try nested(operands.flatMap { if case .and(let inner) = $0, !inner.isEmpty { inner } else { [$0] } }, " AND ")
        case .or(let operands):
            return try nested(operands.flatMap { if case .or(let inner) = $0, !inner.isEmpty { inner } else { [$0] } }, " OR ")
        case .not(.not(let operand)):
            return try condition(operand, &builder, depth: depth)
        case .not(let operand):
            guard depth < Self.maximumDepth else { throw Self.tooDeep }
            return "NOT (" + (try condition(operand, &builder, depth: depth + 1)) + ")"
        case .comparison(let op, let attribute, let value):
            return try comparison(op, attribute, value, &builder)
        }
    }

    static let tooDeep = SearchError(
        .invalidQuery, "Query too deeply nested: at most \(maximumDepth) levels of and, or and not")

    private func comparison(
        _ op: SearchComparison, _ attribute: String, _ value: SearchValue, _ builder: inout Builder
    ) throws -> String {
        switch attribute {
        case "lifespan":
            return try lifespan(op, value, &builder)
        case "created_by_user_id", "created_by_project_id":
            return try creatorPart(op, attribute, value, &builder)
        default:
            break
        }
        let column = try resolve(attribute)
        if op == .in {
            guard case .list(let items) = value else { throw SearchError.invalidValue(value, field: attribute) }
            if items.isEmpty { return "1 = 0" }
            let converted = try items.map { try convert($0, column, attribute) }
            let placeholders = converted.map { builder.bind($0) }
            return "\(column.sql) IN (\(placeholders.joined(separator: ", ")))"
        }
        if case .list = value { throw SearchError.invalidValue(value, field: attribute) }
        if op == .like { return try like(column, attribute, value, &builder) }
        let argument = try convert(value, column, attribute)
        return binary(op, column.sql, argument, &builder)
    }

    /// `column op value`, with Gnocchi's NULL rules.
    private func binary(_ op: SearchComparison, _ sql: String, _ argument: SearchArgument, _ builder: inout Builder)
        -> String
    {
        if argument == .null {
            switch op {
            case .equal: return "\(sql) IS NULL"
            case .notEqual: return "\(sql) IS NOT NULL"
            default: return "\(sql) \(Self.symbol(op)) NULL"
            }
        }
        let placeholder = builder.bind(argument)
        if op == .notEqual { return "(\(sql) IS NULL OR \(sql) <> \(placeholder))" }
        return "\(sql) \(Self.symbol(op)) \(placeholder)"
    }

    static func symbol(_ op: SearchComparison) -> String {
        switch op {
        case .equal: return "="
        case .lessThan: return "<"
        case .greaterThan: return ">"
        case .lessThanOrEqual: return "<="
        case .greaterThanOrEqual: return ">="
        case .notEqual: return "<>"
        case .in: return "IN"
        case .like: return "LIKE"
        }
    }

    // MARK: - LIKE

    private func like(_ column: SearchColumn, _ attribute: String, _ value: SearchValue, _ builder: inout Builder)
        throws -> String
    {
        let pattern: String
        switch (column.kind, value) {
        case (_, .null): return "\(column.sql) LIKE NULL"
        case (.string, _): pattern = value.pythonString
        case (.uuid, .string(let text)): pattern = text
        default: throw SearchError.invalidValue(value, field: attribute)
        }
        return likeSQL(column.kind == .uuid && dialect == .postgresql ? "CAST(\(column.sql) AS TEXT)" : column.sql,
                       pattern, &builder)
    }

    /// `sql LIKE pattern`, case-sensitive on both backends (SQLite's LIKE folds ASCII case: GLOB does not).
    private func likeSQL(_ sql: String, _ pattern: String, _ builder: inout Builder) -> String {
        switch dialect {
        case .postgresql: return "\(sql) LIKE \(builder.bind(.text(pattern)))"
        case .sqlite: return "\(sql) GLOB \(builder.bind(.text(Self.glob(fromLike: pattern))))"
        }
    }

    /// The GLOB pattern equivalent to a LIKE pattern with PostgreSQL's default escape (`\`).
    static func glob(fromLike pattern: String) -> String {
        var out = ""
        var escaped = false
        for character in pattern {
            if escaped {
                out += globLiteral(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%": out += "*"
            case "_": out += "?"
            default: out += globLiteral(character)
            }
        }
        if escaped { out += "\\" }  // PostgreSQL rejects a trailing escape; matching it literally is harmless.
        return out
    }

    private static func globLiteral(_ character: Character) -> String {
        switch character {
        case "*": return "[*]"
        case "?": return "[?]"
        case "[": return "[[]"
        default: return String(character)
        }
    }

    // MARK: - Magic attributes

    /// `lifespan` = `ended_at - started_at`, compared with a timespan (seconds or `"1 hour"`).
    private func lifespan(_ op: SearchComparison, _ value: SearchValue, _ builder: inout Builder) throws -> String {
        let started = try resolve("started_at")
        let ended = try resolve("ended_at")
        guard case .datetime(let encoding) = started.kind, case .datetime = ended.kind else {
            throw SearchError.unknownAttribute(resourceType: "resource", attribute: "lifespan")
        }
        let difference: String
        switch encoding {
        case .timestamptz: difference = "EXTRACT(EPOCH FROM (\(ended.sql) - \(started.sql)))"
        case .epochNanoseconds, .epochSeconds: difference = "(\(ended.sql) - \(started.sql))"
        }
        func argument(_ item: SearchValue) throws -> SearchArgument {
            if item == .null { return .null }
            let nanoseconds = try timespan(item)
            switch encoding {
            case .epochNanoseconds: return .integer(nanoseconds)
            case .epochSeconds, .timestamptz: return .double(Double(nanoseconds) / 1e9)
            }
        }
        switch op {
        case .like: throw SearchError.invalidValue(value, field: "lifespan")
        case .in:
            guard case .list(let items) = value else { throw SearchError.invalidValue(value, field: "lifespan") }
            if items.isEmpty { return "1 = 0" }
            let placeholders = try items.map { builder.bind(try argument($0)) }
            return "\(difference) IN (\(placeholders.joined(separator: ", ")))"
        default:
            return binary(op, difference, try argument(value), &builder)
        }
    }

    /// A timespan as Gnocchi's `to_timespan`: seconds as a number, or a pytimeparse string; must be positive.
    private func timespan(_ value: SearchValue) throws -> Int64 {
        var nanoseconds: Int64?
        switch value {
        case .integer(let i): nanoseconds = i.multipliedReportingOverflow(by: 1_000_000_000).overflow ? nil : i * 1_000_000_000
        case .number(let d):
            let scaled = d * 1e9
            nanoseconds = scaled.isFinite && abs(scaled) < 9.2e18 ? Int64(scaled) : nil
        case .string(let s): nanoseconds = try? Durations.parse(s)
        default: nanoseconds = nil
        }
        guard let nanoseconds, nanoseconds > 0 else { throw SearchError.invalidValue(value, field: "lifespan") }
        return nanoseconds
    }

    /// `created_by_user_id` / `created_by_project_id`: matched as `creator LIKE 'user:%'` / `'%:project'`.
    private func creatorPart(_ op: SearchComparison, _ attribute: String, _ value: SearchValue, _ builder: inout Builder)
        throws -> String
    {
        let creator = try resolve("creator")
        let text = value.pythonString
        let pattern = attribute == "created_by_user_id" ? "\(text):%" : "%:\(text)"
        switch op {
        case .equal, .like: return likeSQL(creator.sql, pattern, &builder)
        case .notEqual: return "NOT (" + likeSQL(creator.sql, pattern, &builder) + ")"
        default: throw SearchError.invalidValue(value, field: attribute)
        }
    }

    // MARK: - Values

    /// Converts a value to the column's type as Gnocchi's converters do; null stays null.
    private func convert(_ value: SearchValue, _ column: SearchColumn, _ attribute: String) throws -> SearchArgument {
        if value == .null { return .null }
        let invalid = SearchError.invalidValue(value, field: attribute)
        switch column.kind {
        case .string:
            if case .list = value { throw invalid }
            return .text(value.pythonString)
        case .uuid:
            guard case .string(let text) = value else { throw invalid }
            if let id = ResourceIdentifier.parseUUID(text) { return .uuid(id) }
            guard let convertUUID, let id = try? convertUUID(text) else { throw invalid }
            return .uuid(id)
        case .number:
            guard let number = Self.pythonFloat(value) else { throw invalid }
            return .double(number)
        case .integer:
            guard let integer = Self.pythonInt(value) else { throw invalid }
            return .integer(integer)
        case .bool:
            switch value {
            case .bool(let b): return .bool(b)
            case .integer(let i) where i == 0 || i == 1: return .bool(i == 1)
            case .number(let d) where d == 0 || d == 1: return .bool(d == 1)
            case .string(let s):
                switch s.lowercased() {
                case "true", "1", "yes", "on", "y", "t": return .bool(true)
                case "false", "0", "no", "off", "n", "f": return .bool(false)
                default: throw invalid
                }
            default: throw invalid
            }
        case .datetime(let encoding):
            let nanoseconds: Int64
            switch value {
            case .datetime(let ns): nanoseconds = ns
            case .integer(let i):
                guard let ns = try? Timestamps.fromEpochSeconds(Double(i)) else { throw invalid }
                nanoseconds = ns
            case .number(let d):
                guard let ns = try? Timestamps.fromEpochSeconds(d) else { throw invalid }
                nanoseconds = ns
            case .string(let s):
                guard let ns = try? Timestamps.parse(s, now: now) else { throw invalid }
                nanoseconds = ns
            default: throw invalid
            }
            switch encoding {
            case .epochNanoseconds: return .integer(nanoseconds)
            case .epochSeconds: return .double(Double(nanoseconds) / 1e9)
            case .timestamptz: return dialect == .postgresql ? .timestamp(nanoseconds) : .integer(nanoseconds)
            }
        }
    }

    /// Python `float(value)` for the JSON values: numbers, booleans, numeric strings (incl. `nan`, `inf`).
    static func pythonFloat(_ value: SearchValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "")
            switch trimmed {
            case "nan", "+nan", "-nan": return .nan
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: break
            }
            guard !trimmed.isEmpty, trimmed.allSatisfy({ "0123456789+-.e".contains($0) }) else { return nil }
            return Double(trimmed)
        default: return nil
        }
    }

    /// Python `int(value)`: integers, floats truncated, booleans, decimal-integer strings.
    static func pythonInt(_ value: SearchValue) -> Int64? {
        switch value {
        case .integer(let i): return i
        case .number(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d.rounded(.towardZero)) : nil
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}
