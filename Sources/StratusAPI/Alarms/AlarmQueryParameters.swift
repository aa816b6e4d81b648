import Foundation
import StratusAlarms

/// The query-string arguments of the Aodh list routes: `q.field/q.op/q.value` triples, `sort=key[:dir]`
/// (repeatable), `limit`, `marker`.
enum AlarmQueryParameters {
    /// One `q` term.
    struct Term: Sendable, Hashable {
        var field: String
        var op: String
        var value: String
    }

    /// The fields `GET /v2/alarms` filters on (besides `all_projects`).
    static let alarmFields: Set<String> = [
        "alarm_id", "user_id", "project_id", "type", "name", "enabled", "state", "severity", "timestamp", "repeat_actions",
    ]

    /// The fields `GET /v2/alarms/{id}/history` filters on.
    static let historyFields: Set<String> = [
        "event_id", "type", "project_id", "user_id", "on_behalf_of", "timestamp", "severity",
    ]

    /// Aodh's query operators.
    static let operators: [String: AlarmFilterOperator] = [
        "eq": .equal, "ne": .notEqual, "lt": .lessThan, "le": .lessThanOrEqual, "gt": .greaterThan,
        "ge": .greaterThanOrEqual,
    ]

    /// The `q` terms; a missing op is `eq`.
    /// - Throws: `AodhError` 400 when fields and values do not pair up.
    static func terms(_ parameters: QueryParameters) throws(AodhError) -> [Term] {
        let fields = parameters.values("q.field")
        let values = parameters.values("q.value")
        var ops = parameters.values("q.op")
        guard fields.count == values.count, ops.count <= fields.count else {
            throw .badRequest("Invalid query: every q.field needs one q.value (and at most one q.op)")
        }
        if ops.count < fields.count {
            guard ops.isEmpty else { throw .badRequest("Invalid query: give q.op for every q.field or for none") }
            ops = Array(repeating: "eq", count: fields.count)
        }
        return fields.indices.map { Term(field: fields[$0], op: ops[$0].isEmpty ? "eq" : ops[$0], value: values[$0]) }
    }

    /// A boolean query value, or nil.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": true
        case "false", "0", "no", "off", "f", "n": false
        default: nil
        }
    }

    /// `sort`, `limit` and `marker` as a store query (no filter yet).
    /// - Throws: `AodhError` 400 for a bad direction or a limit that is not a positive integer.
    static func pagination(_ parameters: QueryParameters) throws(AodhError) -> AlarmQuery {
        var query = AlarmQuery()
        for item in parameters.values("sort") {
            for spec in item.split(separator: ",") {
                let parts = spec.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                let direction = parts.count > 1 ? parts[1] : "asc"
                guard direction == "asc" || direction == "desc" else {
                    throw .badRequest(
                        "Invalid input for field/attribute sort direction. Value: '\(spec)'. the sort direction specified "
                            + "must be one of: asc, desc")
                }
                query.sort.append(AlarmQuery.Sort(parts[0], ascending: direction == "asc"))
            }
        }
        if let text = parameters.value("limit") {
            guard let limit = Int(text), limit > 0 else {
                throw .badRequest("Invalid input for field/attribute limit. Value: '\(text)'. Limit must be positive")
            }
            query.limit = limit
        }
        query.marker = parameters.value("marker")
        return query
    }
}
