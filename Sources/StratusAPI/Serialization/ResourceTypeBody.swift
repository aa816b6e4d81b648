import Foundation
import StratusCore
import StratusIndex

/// Resource type bodies as Gnocchi 4.7.1's `ResourceTypeSchemaManager` validates them, the JSON it prints, and
/// the JSON Patch of `PATCH /v1/resource_type/{name}`.
enum ResourceTypeBody {
    /// The type as Gnocchi prints it: `{"name", "attributes": {name: {"type", "required", options…}}, "state"}`.
    static func json(_ type: ResourceType) -> JSONValue {
        .object([
            "name": .string(type.name),
            "attributes": attributesJSON(type.attributes),
            "state": .string(type.state.rawValue),
        ])
    }

    static func attributesJSON(_ attributes: [ResourceAttribute]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: attributes.map { ($0.name, attributeJSON($0)) }))
    }

    static func attributeJSON(_ attribute: ResourceAttribute) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string(attribute.kind.typeName), "required": .bool(attribute.required)]
        switch attribute.kind {
        case .string(let minLength, let maxLength):
            object["min_length"] = .integer(Int64(minLength))
            object["max_length"] = .integer(Int64(maxLength))
        case .number(let min, let max):
            object["min"] = min.map(number) ?? .null
            object["max"] = max.map(number) ?? .null
        case .uuid, .bool, .datetime:
            break
        }
        return .object(object)
    }

    /// A bound as given: integral values print as integers.
    private static func number(_ value: Double) -> JSONValue {
        if value == value.rounded(), abs(value) < 9e15 { return .integer(Int64(value)) }
        return .number(value)
    }

    // MARK: - Creation

    /// The type of a `POST /v1/resource_type` body.
    /// - Throws: `APIError` 400: voluptuous' `Invalid input` object for the schema, "Invalid input: …" for a bad
    ///   attribute name or bounds.
    static func creation(_ body: JSONValue) throws(APIError) -> ResourceType {
        let (name, attributes): (String, [String: JSONValue])
        do {
            (name, attributes) = try validateDefinition(body)
        } catch {
            throw error.apiError
        }
        var parsed: [ResourceAttribute] = []
        for key in attributes.keys.sorted() {
            do {
                parsed.append(try attribute(key, attributes[key]!, at: [.key("attributes"), .key(key)]))
            } catch let violation as SchemaViolation {
                throw violation.apiError
            } catch let error as IndexError {
                throw APIError(.badRequest, "Invalid input: \(error.message)")
            } catch {
                throw APIError(.badRequest, "Invalid input: \(error)")
            }
        }
        return ResourceType(name: name, attributes: parsed, state: .creating)
    }

    /// `{"name": str, "attributes": {str: attribute}}` (attributes default to none).
    static func validateDefinition(_ body: JSONValue) throws(SchemaViolation) -> (String, [String: JSONValue]) {
        guard case .object(let object) = body else { throw .structure("expected a dictionary", at: []) }
        for key in object.keys.sorted() where key != "name" && key != "attributes" {
            throw .structure("extra keys not allowed", at: [.key(key)])
        }
        guard let nameValue = object["name"] else { throw .structure("required key not provided", at: [.key("name")]) }
        let name = try SchemaCoercion.string(nameValue, at: [.key("name")])
        guard name.count <= 255 else { throw .value("length of value must be at most 255", at: [.key("name")]) }
        guard !name.isEmpty else { throw .value("length of value must be at least 1", at: [.key("name")]) }
        var attributes: [String: JSONValue] = [:]
        if let value = object["attributes"] {
            guard case .object(let map) = value else {
                throw .value("expected a dictionary", at: [.key("attributes")])
            }
            attributes = map
        }
        return (name, attributes)
    }

    /// One attribute definition, as the `meta_schema` of its type (`for_update` adds `options`).
    /// - Throws: `SchemaViolation` for the schema; `IndexError` for the name or bounds.
    static func attribute(
        _ name: String, _ value: JSONValue, at path: [SchemaViolation.PathElement], forUpdate: Bool = false
    ) throws -> ResourceAttribute {
        try definition(name, value, at: path, forUpdate: forUpdate).attribute
    }

    /// The attribute and its `options.fill` (nil when absent).
    static func definition(
        _ name: String, _ value: JSONValue, at path: [SchemaViolation.PathElement], forUpdate: Bool
    ) throws -> (attribute: ResourceAttribute, fill: JSONValue?) {
        guard case .object(let object) = value else { throw SchemaViolation.value("expected a dictionary", at: path) }
        guard let typeValue = object["type"] else {
            throw SchemaViolation.structure("required key not provided", at: path + [.key("type")])
        }
        guard let typeName = typeValue.stringValue, ["string", "uuid", "number", "bool", "datetime"].contains(typeName) else {
            throw SchemaViolation.value("not a valid value", at: path + [.key("type")])
        }
        var allowed: Set<String> = ["type", "required"]
        if forUpdate { allowed.insert("options") }
        switch typeName {
        case "string": allowed.formUnion(["min_length", "max_length"])
        case "number": allowed.formUnion(["min", "max"])
        default: break
        }
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw SchemaViolation.structure("extra keys not allowed", at: path + [.key(key)])
        }
        var required = true
        if let value = object["required"] {
            guard case .bool(let flag) = value else { throw SchemaViolation.value("expected bool", at: path + [.key("required")]) }
            required = flag
        }
        func integer(_ key: String, default defaultValue: Int, min: Int, max: Int) throws -> Int {
            guard let value = object[key] else { return defaultValue }
            guard case .integer(let i) = value, let n = Int(exactly: i) else {
                throw SchemaViolation.value("expected int", at: path + [.key(key)])
            }
            guard n >= min else { throw SchemaViolation.value("value must be at least \(min)", at: path + [.key(key)]) }
            guard n <= max else { throw SchemaViolation.value("value must be at most \(max)", at: path + [.key(key)]) }
            return n
        }
        func bound(_ key: String) throws -> Double? {
            guard let value = object[key], value != .null else { return nil }
            guard let number = value.numberValue else { throw SchemaViolation.value("expected Real", at: path + [.key(key)]) }
            return number
        }
        let kind: ResourceAttribute.Kind
        switch typeName {
        case "string":
            kind = .string(
                minLength: try integer("min_length", default: 0, min: 0, max: 256),
                maxLength: try integer("max_length", default: 256, min: 1, max: 256))
        case "uuid": kind = .uuid
        case "number": kind = .number(min: try bound("min"), max: try bound("max"))
        case "bool": kind = .bool
        default: kind = .datetime
        }
        var fill: JSONValue?
        if let options = object["options"] {
            guard case .object(let map) = options else {
                throw SchemaViolation.value("expected a dictionary", at: path + [.key("options")])
            }
            for key in map.keys.sorted() where key != "fill" {
                throw SchemaViolation.structure("extra keys not allowed", at: path + [.key("options"), .key(key)])
            }
            fill = map["fill"]
        }
        let attribute = try ResourceAttribute(name: name, kind: kind, required: required)
        return (attribute, fill)
    }

    // MARK: - JSON Patch

    /// The update a JSON Patch makes to `type`, as Gnocchi's `ResourceTypeController.patch`; nil when it changes
    /// nothing.
    /// - Throws: `APIError` 400 with Gnocchi's wording for an invalid patch, an invalid resulting type, a type
    ///   change, or a new required attribute without `options.fill`.
    static func update(_ type: ResourceType, patch body: JSONValue) throws(APIError) -> ResourceTypeUpdate? {
        let operations = try patchOperations(body)
        let current = json(type)
        var document = current
        for operation in operations {
            do {
                document = try JSONPatch.apply(operation, to: document)
            } catch {
                throw APIError(.badRequest, error.message)
            }
        }
        guard case .object(var next) = document else { throw APIError(.badRequest, "Invalid input: expected a dictionary") }
        next.removeValue(forKey: "state")
        let nextAttributes: [String: JSONValue]
        do {
            (_, nextAttributes) = try validateDefinition(.object(next))
        } catch {
            throw APIError(.badRequest, "Invalid input: \(error.reason)")
        }
        let currentAttributes = Dictionary(uniqueKeysWithValues: type.attributes.map { ($0.name, $0) })
        var update = ResourceTypeUpdate()
        update.remove = currentAttributes.keys.filter { nextAttributes[$0] == nil }.sorted()
        for name in nextAttributes.keys.sorted() {
            let parsed: (attribute: ResourceAttribute, fill: JSONValue?)
            do {
                parsed = try definition(name, nextAttributes[name]!, at: [.key("attributes"), .key(name)], forUpdate: true)
            } catch let violation as SchemaViolation {
                throw APIError(.badRequest, "Invalid input: \(violation.reason)")
            } catch let error as IndexError {
                throw APIError(.badRequest, "Invalid input: \(error.message)")
            } catch {
                throw APIError(.badRequest, "Invalid input: \(error)")
            }
            if let existing = currentAttributes[name] {
                if existing.kind.typeName != parsed.attribute.kind.typeName {
                    throw APIError(.badRequest, "Type update is not available yet. Changing \(existing.kind.typeName) to "
                        + "\(parsed.attribute.kind.typeName) for attribute \(name) of resource \(type.name)")
                }
                guard existing != parsed.attribute else { continue }
                update.change.append((attribute: parsed.attribute, fill: try fillValue(parsed)))
            } else {
                update.add.append((attribute: parsed.attribute, fill: try fillValue(parsed)))
            }
        }
        return update.isEmpty ? nil : update
    }

    /// The fill value of an added or changed attribute, as Gnocchi's `CommonAttributeSchema` checks it.
    static func fillValue(_ parsed: (attribute: ResourceAttribute, fill: JSONValue?)) throws(APIError) -> ResourceAttributeValue {
        let attribute = parsed.attribute
        guard let fill = parsed.fill, fill != .null else {
            if attribute.required {
                throw APIError(.badRequest, "Invalid input: Option 'fill' of resource attribute \(attribute.name) is "
                    + "invalid: must not be empty if required=True")
            }
            return .null
        }
        do {
            return try ResourceBody.attributeValue(fill, attribute, at: [])
        } catch {
            throw APIError(.badRequest, "Invalid input: Option 'fill' of resource attribute \(attribute.name) is "
                + "invalid: \(error.message)")
        }
    }

    /// `[{"op": "add"|"remove", "path": "/attributes…", "value"?: {…}}]`.
    static func patchOperations(_ body: JSONValue) throws(APIError) -> [JSONPatch.Operation] {
        guard case .array(let items) = body else { throw SchemaViolation.structure("expected a list", at: []).apiError }
        var operations: [JSONPatch.Operation] = []
        for (index, item) in items.enumerated() {
            let path: [SchemaViolation.PathElement] = [.index(index)]
            guard case .object(let object) = item else { throw SchemaViolation.structure("expected a dictionary", at: path).apiError }
            for key in object.keys.sorted() where !["op", "path", "value"].contains(key) {
                throw SchemaViolation.structure("extra keys not allowed", at: path + [.key(key)]).apiError
            }
            guard let op = object["op"] else { throw SchemaViolation.structure("required key not provided", at: path + [.key("op")]).apiError }
            guard let opName = op.stringValue, opName == "add" || opName == "remove" else {
                throw SchemaViolation.value("not a valid value", at: path + [.key("op")]).apiError
            }
            guard let pathValue = object["path"] else {
                throw SchemaViolation.structure("required key not provided", at: path + [.key("path")]).apiError
            }
            guard let pointer = pathValue.stringValue else {
                throw SchemaViolation.value("expected str", at: path + [.key("path")]).apiError
            }
            // Gnocchi's `AttributesPath` raises ValueError("Only attributes can be modified"), which voluptuous
            // reports as "not a valid value".
            guard pointer.hasPrefix("/attributes") else {
                throw SchemaViolation.value("not a valid value", at: path + [.key("path")]).apiError
            }
            var value: JSONValue?
            if let given = object["value"] {
                guard case .object = given else {
                    throw SchemaViolation.value("expected dict", at: path + [.key("value")]).apiError
                }
                value = given
            }
            if opName == "add", value == nil {
                throw APIError(.badRequest, "The operation does not contain a 'value' member")
            }
            operations.append(JSONPatch.Operation(op: opName, path: pointer, value: value))
        }
        return operations
    }
}

/// The part of RFC 6902 (JSON Patch) Gnocchi's resource type PATCH allows: `add` and `remove`, worded as the
/// `jsonpatch` library.
enum JSONPatch {
    struct Operation: Sendable, Hashable {
        var op: String
        var path: String
        var value: JSONValue?
    }

    struct Failure: Error {
        var message: String
    }

    /// Applies one operation. - Throws: `Failure` with jsonpatch's message.
    static func apply(_ operation: Operation, to document: JSONValue) throws(Failure) -> JSONValue {
        let tokens = try pointerTokens(operation.path)
        return try apply(operation, tokens[...], to: document)
    }

    static func pointerTokens(_ pointer: String) throws(Failure) -> [String] {
        guard pointer.hasPrefix("/") else { throw Failure(message: "Location must start with /") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func apply(_ operation: Operation, _ tokens: ArraySlice<String>, to document: JSONValue) throws(Failure)
        -> JSONValue
    {
        guard let token = tokens.first else { throw Failure(message: "Location must start with /") }
        guard case .object(var object) = document else {
            throw Failure(message: "can't \(operation.op) to non-container: \(token)")
        }
        if tokens.count == 1 {
            if operation.op == "add" {
                object[token] = operation.value ?? .null
            } else {
                guard object.removeValue(forKey: token) != nil else {
                    throw Failure(message: "can't remove a non-existent object '\(token)'")
                }
            }
            return .object(object)
        }
        guard let child = object[token] else {
            throw Failure(message: "can't \(operation.op == "add" ? "add to" : "remove from") a non-existent object '\(token)'")
        }
        object[token] = try apply(operation, tokens.dropFirst(), to: child)
        return .object(object)
    }
}
