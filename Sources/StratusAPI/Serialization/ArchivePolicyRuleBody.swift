import StratusIndex

/// The bodies of `POST /v1/archive_policy_rule` and `PATCH /v1/archive_policy_rule/{name}`, validated as Gnocchi
/// 4.7.1's voluptuous schemas (every key required, strings only, nothing else).
enum ArchivePolicyRuleBody {
    /// `{"name": str, "metric_pattern": str, "archive_policy_name": str}`.
    /// - Throws: `APIError` 400 `{"cause": "Invalid input", …}`.
    static func rule(from body: JSONValue) throws(APIError) -> ArchivePolicyRule {
        do {
            let fields = try strings(body, keys: ["name", "metric_pattern", "archive_policy_name"])
            return ArchivePolicyRule(
                name: fields["name"]!, metricPattern: fields["metric_pattern"]!,
                archivePolicyName: fields["archive_policy_name"]!)
        } catch {
            throw error.apiError
        }
    }

    /// `{"name": str}`.
    /// - Throws: `APIError` 400 `{"cause": "Invalid input", …}`.
    static func newName(from body: JSONValue) throws(APIError) -> String {
        do {
            return try strings(body, keys: ["name"])["name"]!
        } catch {
            throw error.apiError
        }
    }

    /// A dictionary of exactly these string keys: type errors in `keys` order, then unknown keys, then missing
    /// keys, as voluptuous reports them.
    static func strings(_ body: JSONValue, keys: [String]) throws(SchemaViolation) -> [String: String] {
        guard let object = body.objectValue else { throw .structure("expected a dictionary", at: []) }
        var result: [String: String] = [:]
        for key in keys {
            guard let value = object[key] else { continue }
            result[key] = try SchemaCoercion.string(value, at: [.key(key)])
        }
        try ArchivePolicyBody.rejectUnknownKeys(object, known: Set(keys), at: [])
        for key in keys where result[key] == nil {
            throw .structure("required key not provided", at: [.key(key)])
        }
        return result
    }
}
