import StratusAlarms
import StratusCore

/// The complex query of `POST /v2/query/alarms` and `/v2/query/alarms/history` (Aodh's `ComplexQuery`):
/// `{"filter": JSON text, "orderby": JSON text (or the list itself), "limit": n}`.
///
/// Filter: `{"and"|"or": [expr, …]}` (non-empty), `{"not": expr}`, `{op: {field: value}}` with op one of
/// `=`, `!=`, `<`, `<=` (`=<`), `>`, `>=` (`=>`), `in` (a non-empty list); operators and field names are
/// case-insensitive. Fields are whitelisted per collection; values reach the SQL only as bound parameters.
/// Orderby: `[{"field": "asc"|"desc"}, …]`.
enum ComplexQuery {
    static let alarmFields: Set<String> = [
        "alarm_id", "name", "description", "type", "enabled", "severity", "state", "state_reason", "state_timestamp",
        "timestamp", "project_id", "user_id", "repeat_actions",
    ]

    static let historyFields: Set<String> = [
        "event_id", "alarm_id", "type", "detail", "project_id", "user_id", "on_behalf_of", "timestamp", "severity",
    ]

    static let operators: [String: AlarmFilterOperator] = [
        "=": .equal, "!=": .notEqual, "<": .lessThan, "<=": .lessThanOrEqual, "=<": .lessThanOrEqual,
        ">": .greaterThan, ">=": .greaterThanOrEqual, "=>": .greaterThanOrEqual,
    ]

    /// The body as a store query.
    /// - Throws: `AodhError` 400 naming what is wrong.
    static func parse(_ body: JSONValue, fields: Set<String>) throws(AodhError) -> AlarmQuery {
        guard case .object(let members) = body else { throw .badRequest("The complex query must be a JSON object") }
        let unknown = members.keys.filter { !["filter", "orderby", "limit"].contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw .badRequest("Unknown attribute for argument data: \(unknown.joined(separator: ", "))")
        }
        var query = AlarmQuery()
        if let filter = try embedded(members["filter"], "filter") {
            if case .object(let object) = filter, object.isEmpty {
                // `{}`: no filter.
            } else {
                query.filter = try expression(filter, fields: fields, depth: 0)
            }
        }
        if let orderby = try embedded(members["orderby"], "orderby") {
            guard case .array(let items) = orderby else { throw invalidOrderby("expected a list") }
            for item in items {
                guard case .object(let entry) = item, entry.count == 1, let (field, direction) = entry.first,
                      case .string(let text) = direction else {
                    throw invalidOrderby("each element must be {\"field\": \"asc\"|\"desc\"}")
                }
                let name = field.lowercased()
                guard fields.contains(name), name != "detail" else { throw invalidOrderby("unknown field \(field)") }
                switch text.lowercased() {
                case "asc": query.sort.append(AlarmQuery.Sort(name, ascending: true))
                case "desc": query.sort.append(AlarmQuery.Sort(name, ascending: false))
                default: throw invalidOrderby("direction must be asc or desc, not \(text)")
                }
            }
        }
        if let limit = members["limit"], limit != .null {
            guard let value = limit.integerValue, value > 0 else {
                throw .badRequest("Limit must be positive")
            }
            query.limit = Int(value)
        }
        return query
    }

    /// A member that Aodh takes as JSON text (a string holding JSON); the decoded value is accepted too.
    private static func embedded(_ value: JSONValue?, _ name: String) throws(AodhError) -> JSONValue? {
        guard let value, value != .null else { return nil }
        guard case .string(let text) = value else { return value }
        if text.isEmpty { return nil }
        do { return try JSONParser.parse(Array(text.utf8)) } catch {
            throw .badRequest("\(name) is not valid JSON: \(error)")
        }
    }

    private static func invalidFilter(_ reason: String) -> AodhError {
        .badRequest("Filter expression not valid: \(reason)")
    }

    private static func invalidOrderby(_ reason: String) -> AodhError {
        .badRequest("Order-by expression not valid: \(reason)")
    }

    private static func expression(_ json: JSONValue, fields: Set<String>, depth: Int) throws(AodhError) -> AlarmFilter {
        guard depth < 64 else { throw invalidFilter("nested too deeply") }
        guard case .object(let object) = json, object.count == 1, let (key, operand) = object.first else {
            throw invalidFilter("each expression must be an object with exactly one operator")
        }
        let op = key.lowercased()
        switch op {
        case "and", "or":
            guard case .array(let items) = operand, !items.isEmpty else {
                throw invalidFilter("\(op) needs a non-empty list of expressions")
            }
            var operands: [AlarmFilter] = []
            for item in items { operands.append(try expression(item, fields: fields, depth: depth + 1)) }
            return op == "and" ? .and(operands) : .or(operands)
        case "not":
            return .not(try expression(operand, fields: fields, depth: depth + 1))
        default:
            guard op == "in" || operators[op] != nil else { throw invalidFilter("unknown operator \(key)") }
            guard case .object(let comparison) = operand, comparison.count == 1, let (rawField, value) = comparison.first else {
                throw invalidFilter("\(key) needs an object with exactly one field")
            }
            let field = rawField.lowercased()
            guard fields.contains(field) else {
                throw invalidFilter("unknown field \(rawField); valid fields: \(fields.sorted().joined(separator: ", "))")
            }
            if op == "in" {
                guard case .array(let values) = value, !values.isEmpty else {
                    throw invalidFilter("in needs a non-empty list of values")
                }
                return .in(field: field, values: values.map(\.telemetry))
            }
            switch value {
            case .array, .object: throw invalidFilter("the value of \(rawField) must be a string, number, boolean or null")
            default: return .comparison(field: field, op: operators[op]!, value: value.telemetry)
            }
        }
    }
}
