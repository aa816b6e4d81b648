import StratusIndex

extension IndexError {
    /// The answer Gnocchi gives for this indexer error where its controllers do not special-case it: the
    /// indexer's message with the status of the matching Gnocchi exception.
    ///
    /// | code | status |
    /// |---|---|
    /// | `archivePolicyNotFound`, `archivePolicyRuleNotFound`, `metricNotFound` | 404 |
    /// | `archivePolicyAlreadyExists`, `archivePolicyRuleAlreadyExists`, `metricAlreadyExists` | 409 |
    /// | `archivePolicyInUse`, `invalidArchivePolicyUpdate`, `invalidQuery`, `invalidURL` | 400 |
    /// | `database` | 500, with no detail |
    ///
    /// Controllers override where Gnocchi does: an unknown archive policy named in a body is a 400 with
    /// ``archivePolicyNotFoundDetail``; a rename onto an existing rule is a 400.
    var apiError: APIError {
        switch code {
        case .archivePolicyNotFound, .archivePolicyRuleNotFound, .metricNotFound, .resourceTypeNotFound,
             .resourceNotFound:
            APIError(.notFound, message)
        case .archivePolicyAlreadyExists, .archivePolicyRuleAlreadyExists, .metricAlreadyExists,
             .resourceTypeAlreadyExists, .resourceAlreadyExists:
            APIError(.conflict, message)
        case .archivePolicyInUse, .invalidArchivePolicyUpdate, .invalidQuery, .invalidURL, .resourceTypeInUse,
             .unexpectedResourceTypeState, .invalidResourceAttribute, .invalidResourceTypeUpdate,
             .resourceAttributeError, .resourceValueError:
            APIError(.badRequest, message)
        case .database:
            APIError(.internalServerError, "Internal server error")
        }
    }

    /// `NoSuchArchivePolicy.jsonify()`: `{"cause": "Archive policy does not exist", "detail": name}`, which
    /// Gnocchi sends when a request body names an unknown policy.
    var archivePolicyNotFoundDetail: JSONValue {
        ["cause": "Archive policy does not exist", "detail": .string(detail ?? "")]
    }
}

/// Runs an index operation, turning its `IndexError`s into Gnocchi's answers (``IndexError/apiError``) and any
/// other failure into a logged 500 (by the error middleware).
func withIndexErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as IndexError where error.code != .database {
        throw error.apiError
    }
}
