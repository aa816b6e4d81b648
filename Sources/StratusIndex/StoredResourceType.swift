import Foundation

/// A `resource_type` row: the type with its attributes as Gnocchi's JSON (`{"name": {"type": …, "required": …,
/// options…}}`) and the name of its two tables (`rt_<hex>` and `rt_<hex>_history`; `generic` has none).
struct StoredResourceType: Sendable, Hashable {
    var type: ResourceType
    var tableName: String

    /// Whether the type has tables of its own (every type but `generic`).
    var hasTables: Bool { type.name != ResourceType.genericName }
    var historyTableName: String { tableName + "_history" }

    /// The attributes as stored.
    static func encodeAttributes(_ attributes: [ResourceAttribute]) -> String {
        var object: [String: Any] = [:]
        for attribute in attributes {
            var entry: [String: Any] = ["type": attribute.kind.typeName, "required": attribute.required]
            switch attribute.kind {
            case .string(let minLength, let maxLength):
                entry["min_length"] = minLength
                entry["max_length"] = maxLength
            case .number(let min, let max):
                entry["min"] = min.map { $0 as Any } ?? NSNull()
                entry["max"] = max.map { $0 as Any } ?? NSNull()
            case .uuid, .bool, .datetime:
                break
            }
            object[attribute.name] = entry
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The attributes of a stored JSON text. - Throws: `IndexError.database` for text that is not a valid list.
    static func decodeAttributes(_ text: String) throws(IndexError) -> [ResourceAttribute] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw IndexError.database("Stored resource type attributes are not a JSON object")
        }
        var attributes: [ResourceAttribute] = []
        for (name, value) in object {
            guard let entry = value as? [String: Any], let typeName = entry["type"] as? String else {
                throw IndexError.database("Stored resource type attribute \(name) is invalid")
            }
            let required = (entry["required"] as? Bool) ?? true
            let kind: ResourceAttribute.Kind
            switch typeName {
            case "string":
                kind = .string(
                    minLength: (entry["min_length"] as? NSNumber)?.intValue ?? 0,
                    maxLength: (entry["max_length"] as? NSNumber)?.intValue ?? 256)
            case "uuid": kind = .uuid
            case "number":
                kind = .number(min: (entry["min"] as? NSNumber)?.doubleValue, max: (entry["max"] as? NSNumber)?.doubleValue)
            case "bool": kind = .bool
            case "datetime": kind = .datetime
            default: throw IndexError.database("Stored resource type attribute \(name) has unknown type \(typeName)")
            }
            attributes.append(try ResourceAttribute(name: name, kind: kind, required: required))
        }
        return attributes.sorted { $0.name < $1.name }
    }

    /// A fresh table name, as Gnocchi's `rt_<uuid4 hex>`.
    static func newTableName() -> String {
        "rt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
