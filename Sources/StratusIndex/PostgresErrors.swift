import PostgresNIO

/// What PostgreSQL's errors say, for every store on the index database (index, alarms).
public enum PostgresErrors {
    /// The error a transaction's closure, `BEGIN` or `COMMIT` threw; any other error as is.
    public static func unwrap(_ error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? error
    }

    /// The server's SQLSTATE (`23505`, `40P01`, …), when the error came from the server.
    public static func sqlState(_ error: any Error) -> String? {
        (unwrap(error) as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Whether retrying the transaction may succeed: a deadlock (`40P01`) or a serialisation failure (`40001`).
    public static func isRetryable(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == "40P01" || state == "40001"
    }

    /// One line for a user: `PostgreSQL error <SQLSTATE>: <message>`.
    public static func message(_ error: any Error) -> String {
        let error = unwrap(error)
        if let psql = error as? PSQLError, let info = psql.serverInfo {
            return "PostgreSQL error \(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
        } else if let psql = error as? PSQLError {
            return "PostgreSQL error: \(psql.code)"
        }
        return "PostgreSQL error: \(error)"
    }
}
