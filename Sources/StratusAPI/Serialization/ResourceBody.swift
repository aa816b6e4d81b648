import Foundation
import StratusCore
import StratusIndex

/// Resource bodies as Gnocchi 4.7.1's `ResourceSchema` (plus the type's attribute schemas) validates them, and
/// resources as it prints them.
enum ResourceBody {
    /// The fields of a creation or PATCH body; `metrics` still needs policy and archive-policy resolution.
    struct Fields {
        var id: (original: String, uuid: UUID)?
        var startedAt: Int64?
        var endedAt: Int64?
        var userId: String??
        var projectId: String??
        var attributes: [String: ResourceAttributeValue] = [:]
        var metrics: [String: MetricEntry]?
        /// Whether the body had no key at all.
        var isEmpty = true
    }

    /// One entry of `metrics`: an existing metric's id, or the fields of a metric to create.
    enum MetricEntry {
        case existing(UUID)
        case create(archivePolicyName: String?, unit: String?)
    }

    /// Validates a body against the type: on creation (`creator` given) `id` and the required attributes must be
    /// there; on PATCH everything is optional and `id` is refused. Keys are checked in alphabetical order.
    /// - Throws: `SchemaViolation` worded as voluptuous.
    static func fields(_ body: JSONValue, type: ResourceType, creator: String?, creation: Bool) throws(SchemaViolation) -> Fields {
        guard case .object(let object) = body else { throw .structure("expected a dictionary", at: []) }
        var fields = Fields()
        fields.isEmpty = object.isEmpty
        let attributes = Dictionary(uniqueKeysWithValues: type.attributes.map { ($0.name, $0) })
        for key in object.keys.sorted() {
            let value = object[key]!
            let path: [SchemaViolation.PathElement] = [.key(key)]
            switch key {
            case "id" where creation:
                let text = try SchemaCoercion.string(value, at: path)
                do {
                    fields.id = (text, try ResourceIdentifier.uuid(text, creator: creator))
                } catch {
                    throw .value(error.description, at: path)
                }
            case "started_at": fields.startedAt = try timestamp(value, at: path)
            case "ended_at": fields.endedAt = try timestamp(value, at: path)
            case "user_id": fields.userId = .some(value == .null ? nil : try SchemaCoercion.string(value, at: path))
            case "project_id": fields.projectId = .some(value == .null ? nil : try SchemaCoercion.string(value, at: path))
            case "metrics": fields.metrics = try metrics(value, at: path)
            default:
                guard let attribute = attributes[key] else { throw .structure("extra keys not allowed", at: path) }
                do {
                    fields.attributes[key] = try attributeValue(value, attribute, at: path)
                } catch {
                    throw error
                }
            }
        }
        if creation {
            if fields.id == nil { throw .structure("required key not provided", at: [.key("id")]) }
            for attribute in type.attributes where attribute.required && object[attribute.name] == nil {
                throw .structure("required key not provided", at: [.key(attribute.name)])
            }
        }
        return fields
    }

    /// `utils.to_datetime`: any timestamp form.
    static func timestamp(_ value: JSONValue, at path: [SchemaViolation.PathElement]) throws(SchemaViolation) -> Int64 {
        do {
            switch value {
            case .string(let text): return try Timestamps.parse(text, now: Timestamps.now())
            case .integer(let i): return try Timestamps.fromEpochSeconds(Double(i))
            case .number(let d): return try Timestamps.fromEpochSeconds(d)
            default: throw SchemaViolation.value("not a valid value", at: path)
            }
        } catch let violation as SchemaViolation {
            throw violation
        } catch {
            throw .value("not a valid value", at: path)
        }
    }

    /// A value for an attribute, as the attribute's `schema_ext`.
    static func attributeValue(
        _ value: JSONValue, _ attribute: ResourceAttribute, at path: [SchemaViolation.PathElement]
    ) throws(SchemaViolation) -> ResourceAttributeValue {
        if value == .null, !attribute.required { return .null }
        switch attribute.kind {
        case .string(let minLength, let maxLength):
            let text = try SchemaCoercion.string(value, at: path)
            let length = text.unicodeScalars.count
            if length < minLength { throw .value("length of value must be at least \(minLength)", at: path) }
            if length > maxLength { throw .value("length of value must be at most \(maxLength)", at: path) }
            return .string(text)
        case .uuid:
            guard let text = value.stringValue else { throw .value("expected str", at: path) }
            guard let id = PythonUUID.parse(text) else { throw .value("badly formed hexadecimal UUID string", at: path) }
            return .uuid(id)
        case .number(let min, let max):
            let number: Double
            switch value {
            case .integer(let i): number = Double(i)
            case .number(let d): number = d
            case .bool(let b): number = b ? 1 : 0
            default: throw .value("expected Real", at: path)
            }
            if let min, number < min { throw .value("value must be at least \(ResourceBody.python(min))", at: path) }
            if let max, number > max { throw .value("value must be at most \(ResourceBody.python(max))", at: path) }
            return .number(number)
        case .bool:
            guard case .bool(let flag) = value else { throw .value("expected bool", at: path) }
            return .bool(flag)
        case .datetime:
            return .datetime(try timestamp(value, at: path))
        }
    }

    /// A bound as Python prints it (`0`, `4294967295`, `1.5`).
    static func python(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e16 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `MetricsSchema`: `{name: uuid | {archive_policy_name?, unit? (≤31)}}`.
    static func metrics(_ value: JSONValue, at path: [SchemaViolation.PathElement]) throws(SchemaViolation) -> [String: MetricEntry] {
        guard case .object(let object) = value else { throw .value("expected a dictionary", at: path) }
        var entries: [String: MetricEntry] = [:]
        for name in object.keys.sorted() {
            let entryPath = path + [.key(name)]
            // PostgreSQL cannot store NUL in text (Gnocchi answers those with a 500 from its database).
            if name.utf8.contains(0) { throw .structure("NUL characters are not allowed", at: entryPath) }
            switch object[name]! {
            case .string(let text):
                guard let id = PythonUUID.parse(text) else { throw .value("not a valid value", at: entryPath) }
                entries[name] = .existing(id)
            case .object(let definition):
                var policy: String?, unit: String?
                for key in definition.keys.sorted() {
                    let keyPath = entryPath + [.key(key)]
                    switch key {
                    case "archive_policy_name": policy = try SchemaCoercion.string(definition[key]!, at: keyPath)
                    case "unit":
                        let text = try SchemaCoercion.string(definition[key]!, at: keyPath)
                        guard text.unicodeScalars.count <= 31 else { throw .value("length of value must be at most 31", at: keyPath) }
                        unit = text
                    case "name", "resource_id": continue
                    default: throw .structure("extra keys not allowed", at: keyPath)
                    }
                }
                if name.contains("/") { throw .value("'/' is not supported in metric name", at: entryPath) }
                entries[name] = .create(archivePolicyName: policy, unit: unit)
            default:
                throw .value("not a valid value", at: entryPath)
            }
        }
        return entries
    }

    // MARK: - Output

    /// The resource as Gnocchi's `jsonify(attrs)` prints it; `attrs` keeps only those keys when not empty.
    static func json(_ resource: Resource, attrs: [String] = []) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(resource.id.lowercaseText),
            "type": .string(resource.type),
            "creator": resource.creator.map(JSONValue.string) ?? .null,
            "started_at": .string(Timestamps.format(resource.startedAt)),
            "revision_start": .string(Timestamps.format(resource.revisionStart)),
            "ended_at": resource.endedAt.map { .string(Timestamps.format($0)) } ?? .null,
            "user_id": resource.userId.map(JSONValue.string) ?? .null,
            "project_id": resource.projectId.map(JSONValue.string) ?? .null,
            "original_resource_id": .string(resource.originalResourceId),
            "revision_end": resource.revisionEnd.map { .string(Timestamps.format($0)) } ?? .null,
            "metrics": .object(resource.metrics.mapValues { .string($0.lowercaseText) }),
        ]
        for (name, value) in resource.attributes { object[name] = json(value) }
        if let creator = resource.creator {
            let parts = creator.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            object["created_by_user_id"] = .string(String(parts[0]))
            object["created_by_project_id"] = .string(parts.count > 1 ? String(parts[1]) : "")
        } else {
            object["created_by_user_id"] = .null
            object["created_by_project_id"] = .null
        }
        if !attrs.isEmpty { object = object.filter { attrs.contains($0.key) } }
        return .object(object)
    }

    static func json(_ value: ResourceAttributeValue) -> JSONValue {
        switch value {
        case .null: .null
        case .string(let s): .string(s)
        case .uuid(let id): .string(id.lowercaseText)
        case .number(let d): .number(d)
        case .bool(let b): .bool(b)
        case .datetime(let ns): .string(Timestamps.format(ns))
        }
    }

    /// Gnocchi's ETag: SHA-1 of the id's text and `revision_start.isoformat()`.
    static func etag(_ resource: Resource) -> String {
        SHA1.hexDigest(Array((resource.id.lowercaseText + Timestamps.format(resource.revisionStart)).utf8))
    }
}
