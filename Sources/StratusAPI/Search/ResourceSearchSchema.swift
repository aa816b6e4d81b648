import StratusIndex

/// Gnocchi's `ResourceSearchSchema`: validates a JSON resource query and turns it into a `SearchExpression`,
/// with voluptuous' messages, converting `id` values to resource UUIDs for the caller (`ResourceUUID`).
///
/// Query form: one-key objects `{op: {attribute: value}}` (`in`: a non-empty list), `{"and"|"or"|"∧"|"∨": [q, …]}`
/// (non-empty), `{"not": q}`. `like` is not allowed on `id`. Values are strings, numbers, booleans or null.
enum ResourceSearchSchema {
    /// A query that fails the schema, or that Gnocchi's indexer cannot use (an empty nested query).
    enum Failure: Error, Sendable, Hashable {
        case violation(SchemaViolation)
        case search(SearchError)

        /// The 400 answer Gnocchi gives for it.
        var apiError: APIError {
            switch self {
            case .violation(let violation): violation.apiError
            case .search(let error): APIError(.badRequest, error.message)
            }
        }
    }

    typealias Path = [SchemaViolation.PathElement]

    /// Validates a query; `{}` means no filter (nil).
    /// - Parameter creator: Whose non-UUID `id` values are converted (Gnocchi's current user).
    static func parse(_ json: JSONValue, creator: String?) throws(Failure) -> SearchExpression? {
        if case .object(let members) = json, members.isEmpty { return nil }
        do {
            return try query(json, at: [], creator: creator)
        } catch let violation as SchemaViolation {
            throw .violation(violation)
        } catch let error as SearchError {
            throw .search(error)
        } catch {
            throw .search(.invalidQuery)
        }
    }

    /// The same, answering Gnocchi's 400 directly.
    static func expression(_ json: JSONValue, creator: String?) throws(APIError) -> SearchExpression? {
        do { return try parse(json, creator: creator) } catch { throw error.apiError }
    }

    /// `_ResourceSearchSchema()` at `path` (the root, a list element or the operand of `not`).
    private static func query(_ json: JSONValue, at path: Path, creator: String?) throws -> SearchExpression {
        guard let (key, value) = try singleKeyObject(json, at: path, tagged: isKey(path), requireOne: false) else {
            // `{}` nested: valid for the schema, but Gnocchi's QueryTransformer cannot parse it.
            throw SearchError.invalidQuery
        }
        let here = path + [.key(key)]
        switch key {
        case "not":
            return .not(try query(value, at: here, creator: creator))
        case "and", "∧", "or", "∨":
            guard case .array(let items) = value else { throw SchemaViolation.value("expected a list", at: here) }
            guard !items.isEmpty else { throw SchemaViolation.value("length of value must be at least 1", at: here) }
            let operands = try items.enumerated().map { index, item in
                try query(item, at: here + [.index(index)], creator: creator)
            }
            return key == "and" || key == "∧" ? .and(operands) : .or(operands)
        default:
            break
        }
        guard let op = SearchComparison(spelling: key) else {
            throw SchemaViolation.structure("not a valid value", at: here)
        }
        guard let (attribute, operand) = try singleKeyObject(value, at: here, tagged: true, requireOne: true) else {
            throw SchemaViolation.value("length of value must be at least 1", at: here)
        }
        let attributePath = here + [.key(attribute)]
        if op == .like, attribute == "id" {
            throw SchemaViolation.structure("value must not be one of ['id']", at: attributePath)
        }
        if op == .in {
            guard case .array(let items) = operand else {
                throw SchemaViolation.value("expected a list", at: attributePath)
            }
            guard !items.isEmpty else {
                throw SchemaViolation.value("length of value must be at least 1", at: attributePath)
            }
            let values = try items.enumerated().map { index, item in
                try scalar(item, attribute: attribute, at: attributePath + [.index(index)], creator: creator)
            }
            return .comparison(.in, attribute: attribute, value: .list(values))
        }
        return .comparison(op, attribute: attribute, value: try scalar(operand, attribute: attribute, at: attributePath, creator: creator))
    }

    private static func isKey(_ path: Path) -> Bool {
        if case .key = path.last { true } else { false }
    }

    /// `All(Length(min=0 or 1, max=1), dict)`: the single member of an object, nil for `{}`.
    private static func singleKeyObject(_ json: JSONValue, at path: Path, tagged: Bool, requireOne: Bool) throws
        -> (String, JSONValue)?
    {
        func fail(_ message: String) -> SchemaViolation {
            tagged ? .value(message, at: path) : .structure(message, at: path)
        }
        let length: Int
        switch json {
        case .object(let members): length = members.count
        case .array(let items): length = items.count
        case .string(let text): length = text.unicodeScalars.count
        case .null, .bool, .number, .integer: throw fail("invalid value or type")
        }
        if length > 1 { throw fail("length of value must be at most 1") }
        if length == 0, requireOne { throw fail("length of value must be at least 1") }
        guard case .object(let members) = json else { throw fail("expected a dictionary") }
        return members.first.map { ($0.key, $0.value) }
    }

    /// `ResourceSearchSchemaAttributeValue` (`Any(str, float, int, bool, None)`), or `ResourceUUID` for `id`.
    private static func scalar(_ json: JSONValue, attribute: String, at path: Path, creator: String?) throws -> SearchValue {
        // Stored text never holds NUL (PostgreSQL cannot), and binding it would fail there.
        if case .string(let text) = json, text.utf8.contains(0) {
            throw SchemaViolation.value("NUL characters are not allowed", at: path)
        }
        if attribute == "id" {
            guard case .string(let text) = json else { throw SchemaViolation.value("expected str", at: path) }
            do {
                return .string(try ResourceIdentifier.uuid(text, creator: creator).uuidString.lowercased())
            } catch {
                throw SchemaViolation.value(error.description, at: path)
            }
        }
        switch json {
        case .string(let text): return .string(text)
        case .integer(let integer): return .integer(integer)
        case .number(let number): return .number(number)
        case .bool(let bool): return .bool(bool)
        case .null: return .null
        case .array, .object: throw SchemaViolation.value("expected str", at: path)
        }
    }
}
