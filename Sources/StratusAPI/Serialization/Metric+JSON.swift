import Carbonara
import StratusIndex

extension Metric {
    /// How much of the metric's relations Gnocchi had loaded when it printed the metric (`Metric.jsonify()`
    /// prints a relation when loaded, its id column otherwise).
    enum JSONStyle {
        /// `POST /v1/metric`: nothing loaded, so `archive_policy_name` and `resource_id`.
        case created
        /// `GET /v1/metric`: the archive policy (joined) as an object, and `resource_id`.
        case listed(ArchivePolicy?)
        /// `GET /v1/metric/{id}`: the archive policy and the resource (`null` when detached) as objects.
        case detailed(ArchivePolicy?)
    }

    /// The metric as Gnocchi prints it: `id`, `creator`, `name`, `unit`, `created_by_user_id` and
    /// `created_by_project_id` (the creator split at its first `:`), plus the relations of `style`.
    ///
    /// Stratus has no resources yet: `detailed` prints `resource` as null for a detached metric and as
    /// `{"id": …}` otherwise.
    func json(_ style: JSONStyle) -> JSONValue {
        let id = PythonUUID.string(self.id)
        var object: [String: JSONValue] = [
            "id": .string(id),
            "creator": .string(creator),
            "name": name.map(JSONValue.string) ?? .null,
            "unit": unit.map(JSONValue.string) ?? .null,
        ]
        let resource: JSONValue = resourceId.map { .string(PythonUUID.string($0)) } ?? .null
        switch style {
        case .created:
            object["archive_policy_name"] = .string(archivePolicyName)
            object["resource_id"] = resource
        case .listed(let policy):
            object["archive_policy"] = policy?.json ?? .string(archivePolicyName)
            object["resource_id"] = resource
        case .detailed(let policy):
            object["archive_policy"] = policy?.json ?? .string(archivePolicyName)
            object["resource"] = resourceId.map { ["id": .string(PythonUUID.string($0))] } ?? .null
        }
        // Python's str.partition(":").
        if let colon = creator.firstIndex(of: ":") {
            object["created_by_user_id"] = .string(String(creator[..<colon]))
            object["created_by_project_id"] = .string(String(creator[creator.index(after: colon)...]))
        } else {
            object["created_by_user_id"] = .string(creator)
            object["created_by_project_id"] = ""
        }
        return .object(object)
    }
}
