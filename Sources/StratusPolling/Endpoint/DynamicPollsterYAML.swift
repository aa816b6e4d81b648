import StratusCore
import Yams

/// YAML helpers shared by the definition parser and the static catalog reader.
enum DynamicPollsterYAML {
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.tag.description == Tag.Name.null.rawValue
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: isNull(node) ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    /// A scalar as a JSON value, typed by YAML's resolution (`5` a number, `"5"` a string,
    /// `true` a boolean, `~` null).
    static func scalarValue(_ node: Node) -> JSONNode? {
        guard case .scalar(let scalar) = node else { return nil }
        switch node.tag.description {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(JSONNode.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return node.int.map { .number(String($0)) } ?? .string(scalar.string)
        case Tag.Name.float.rawValue: return node.float.map { .number(String($0)) } ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// A YAML node as a JSON value (mappings keep their order).
    static func value(_ node: Node) -> JSONNode {
        switch node {
        case .scalar: return scalarValue(node) ?? .null
        case .sequence(let sequence): return .array(sequence.map(value))
        case .mapping(let mapping):
            return .object(mapping.map { (key: $0.key.string ?? "", value: value($0.value)) })
        case .alias: return .null
        }
    }

    /// A Yams error as a configuration error with its line.
    static func error(_ error: YamlError, text: String, file: String) -> ConfigurationError {
        ConfigurationError(yaml: error, text: text, file: file)
    }
}

/// Typed access to the fields of one YAML mapping, each error carrying the field's line.
struct FieldReader {
    let values: [String: (node: Node, line: Int)]
    let file: String
    /// The line of the mapping, for missing fields.
    let start: Int

    func error(_ field: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, line: values[field]?.line ?? start, reason: reason)
    }

    /// The node of a field that is set (not absent, not null).
    func node(_ field: String) -> Node? {
        guard let entry = values[field], !DynamicPollsterYAML.isNull(entry.node) else { return nil }
        return entry.node
    }

    /// A required non-empty string (numbers are taken as written).
    func requiredString(_ field: String) throws(ConfigurationError) -> String {
        guard let text = try optionalString(field), !text.isEmpty else {
            throw error(field, "required field '\(field)' is missing or empty")
        }
        return text
    }

    func optionalString(_ field: String) throws(ConfigurationError) -> String? {
        guard let node = node(field) else { return nil }
        guard case .scalar(let scalar) = node else {
            throw error(field, "'\(field)' must be a string, got \(DynamicPollsterYAML.kind(of: node))")
        }
        return scalar.string.isEmpty ? nil : scalar.string
    }

    func number(_ field: String) throws(ConfigurationError) -> Double? {
        guard let node = node(field) else { return nil }
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.trimmingPathSpaces()) else {
            throw error(field, "'\(field)' must be a number")
        }
        return value
    }

    func bool(_ field: String) throws(ConfigurationError) -> Bool? {
        guard let node = node(field) else { return nil }
        guard case .bool(let value)? = DynamicPollsterYAML.scalarValue(node) else {
            throw error(field, "'\(field)' must be true or false")
        }
        return value
    }

    /// A list of strings, or one string (`namespaces: central`).
    func stringList(_ field: String) throws(ConfigurationError) -> [String]? {
        guard let node = node(field) else { return nil }
        switch node {
        case .scalar(let scalar):
            return scalar.string.split(separator: ",").map { String($0).trimmingPathSpaces() }.filter { !$0.isEmpty }
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item, !DynamicPollsterYAML.isNull(item) else {
                    throw error(field, "'\(field)' must be a list of strings")
                }
                items.append(scalar.string)
            }
            return items
        default:
            throw error(field, "'\(field)' must be a list of strings, got \(DynamicPollsterYAML.kind(of: node))")
        }
    }

    /// A mapping of strings to scalars, values as written.
    func stringMapping(_ field: String) throws(ConfigurationError) -> [String: String] {
        guard let node = node(field) else { return [:] }
        guard case .mapping(let mapping) = node else {
            throw error(field, "'\(field)' must be a mapping, got \(DynamicPollsterYAML.kind(of: node))")
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key, case .scalar(let valueScalar) = value else {
                throw ConfigurationError(
                    file: file, line: key.mark?.line ?? start, reason: "'\(field)' must map strings to strings")
            }
            result[keyScalar.string] = valueScalar.string
        }
        return result
    }

    /// `value_mapping`: scalar keys to scalar values, typed.
    func valueMapping(_ field: String) throws(ConfigurationError) -> [(from: JSONNode, to: JSONNode)] {
        guard let node = node(field) else { return [] }
        guard case .mapping(let mapping) = node else {
            throw error(field, "'\(field)' must be a mapping, got \(DynamicPollsterYAML.kind(of: node))")
        }
        var result: [(from: JSONNode, to: JSONNode)] = []
        for (key, value) in mapping {
            guard let from = DynamicPollsterYAML.scalarValue(key), let to = DynamicPollsterYAML.scalarValue(value) else {
                throw ConfigurationError(
                    file: file, line: key.mark?.line ?? start, reason: "'\(field)' must map values to values (no lists or mappings)")
            }
            result.append((from, to))
        }
        return result
    }

    func scalar(_ field: String) throws(ConfigurationError) -> JSONNode? {
        guard let node = node(field) else { return nil }
        guard let value = DynamicPollsterYAML.scalarValue(node) else {
            throw error(field, "'\(field)' must be a single value, got \(DynamicPollsterYAML.kind(of: node))")
        }
        return value
    }

    func scalarList(_ field: String) throws(ConfigurationError) -> [JSONNode] {
        guard let node = node(field) else { return [] }
        guard case .sequence(let sequence) = node else {
            throw error(field, "'\(field)' must be a list, got \(DynamicPollsterYAML.kind(of: node))")
        }
        var result: [JSONNode] = []
        for item in sequence {
            guard let value = DynamicPollsterYAML.scalarValue(item) else {
                throw error(field, "'\(field)' must be a list of single values")
            }
            result.append(value)
        }
        return result
    }

    /// An attribute path field.
    func path(_ field: String) throws(ConfigurationError) -> AttributePath? {
        guard let text = try optionalString(field) else { return nil }
        return try path(text, in: field)
    }

    /// `text` as an attribute path, errors located at `field`.
    func path(_ text: String, in field: String) throws(ConfigurationError) -> AttributePath {
        do {
            return try AttributePath(text)
        } catch {
            throw self.error(field, "invalid \(field): \(error.reason)")
        }
    }
}
