import Foundation
import GRDB
import PostgresNIO

extension SearchSQLFragment {
    /// The arguments as GRDB binds them for SQLite (UUIDs as lowercase text, timestamps as integer ns).
    public var sqliteArguments: StatementArguments {
        StatementArguments(arguments.map(\.sqliteValue))
    }

    /// Appends the arguments to PostgreSQL bindings, after the `placeholderOffset` ones already there.
    public func appendArguments(to bindings: inout PostgresBindings) {
        for argument in arguments { argument.append(to: &bindings) }
    }
}

extension SearchArgument {
    /// The SQLite value GRDB binds.
    public var sqliteValue: DatabaseValue {
        switch self {
        case .text(let text): return text.databaseValue
        case .integer(let integer): return integer.databaseValue
        case .double(let double): return double.databaseValue
        case .bool(let bool): return bool.databaseValue
        case .uuid(let uuid): return uuid.uuidString.lowercased().databaseValue
        case .timestamp(let nanoseconds): return nanoseconds.databaseValue
        case .null: return .null
        }
    }

    /// Appends the value to PostgreSQL bindings with its natural type (text, int8, float8, bool, uuid, timestamptz).
    public func append(to bindings: inout PostgresBindings) {
        switch self {
        case .text(let text): bindings.append(text)
        case .integer(let integer): bindings.append(integer)
        case .double(let double): bindings.append(double)
        case .bool(let bool): bindings.append(bool)
        case .uuid(let uuid): bindings.append(uuid)
        case .timestamp(let nanoseconds):
            bindings.append(Date(timeIntervalSince1970: Double(nanoseconds) / 1e9))
        case .null: bindings.appendNull()
        }
    }
}
