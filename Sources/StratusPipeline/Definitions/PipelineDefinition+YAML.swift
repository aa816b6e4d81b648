import StratusCore
import Yams

/// YAML helpers of the pipeline.yaml parser.
extension PipelineDefinition {
    typealias Problem = (Int?, String) -> Void

    static func transformerStep(
        _ node: Node, sink label: String, registry: TransformerRegistry, problem: Problem
    ) -> TransformerStep? {
        let line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            problem(line, "\(label): a transformer must be a mapping with name and parameters")
            return nil
        }
        for (key, _) in mapping where key.string != "name" && key.string != "parameters" {
            problem(key.mark?.line ?? line, "\(label): unknown transformer key '\(key.string ?? "?")'; valid keys: name, parameters")
        }
        guard let name = mapping["name"]?.string, !name.isEmpty, mapping["name"].map(isNull) == false else {
            problem(line, "\(label): a transformer needs a name")
            return nil
        }
        guard let type = registry.types[name] else {
            problem(mapping["name"]?.mark?.line ?? line,
                    "\(label): unknown transformer '\(name)'; valid: " + registry.names.joined(separator: ", "))
            return nil
        }
        var parameters = TransformerParameters()
        if let parameterNode = mapping["parameters"], !isNull(parameterNode) {
            guard case .mapping = parameterNode else {
                problem(parameterNode.mark?.line ?? line, "\(label): transformer '\(name)': parameters must be a mapping")
                return nil
            }
            var lines: [String: Int] = [:]
            guard case .dictionary(let values) = telemetryValue(parameterNode, path: "", lines: &lines) else { return nil }
            parameters = TransformerParameters(values, lines: lines)
        }
        do {
            _ = try type.init(parameters: parameters)
        } catch {
            var at = parameters.lines[error.path]
            var path = Substring(error.path)
            while at == nil, let dot = path.lastIndex(of: ".") {
                path = path[..<dot]
                at = parameters.lines[String(path)]
            }
            problem(at ?? mapping["parameters"]?.mark?.line ?? line, "\(label): transformer '\(name)': \(error)")
            return nil
        }
        return TransformerStep(name: name, parameters: parameters, line: line)
    }

    /// A YAML node as a telemetry value (plain scalars typed as YAML 1.1 core: null, bool, int,
    /// float), recording the line of every mapping key by dotted path.
    static func telemetryValue(_ node: Node, path: String, lines: inout [String: Int]) -> TelemetryValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(TelemetryValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(TelemetryValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .list(sequence.map { telemetryValue($0, path: path, lines: &lines) })
        case .mapping(let mapping):
            var entries: [String: TelemetryValue] = [:]
            for (key, value) in mapping {
                let name = key.string ?? "?"
                let keyPath = path.isEmpty ? name : "\(path).\(name)"
                if let line = key.mark?.line { lines[keyPath] = line }
                entries[name] = telemetryValue(value, path: keyPath, lines: &lines)
            }
            return .dictionary(entries)
        case .alias:
            return .null
        }
    }

    static func sequence(_ node: Node?, key: String, line: Int?, problem: Problem) -> [Node]? {
        guard let node, !isNull(node) else {
            problem(line, "\(key) required")
            return nil
        }
        guard case .sequence(let items) = node else {
            problem(node.mark?.line ?? line, "\(key) must be a list")
            return nil
        }
        return Array(items)
    }

    static func nonEmptyName(_ mapping: Node.Mapping, kind: String, line: Int?, problem: Problem) -> String? {
        guard let node = mapping["name"], !isNull(node), case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            problem(line, "a \(kind) needs a name")
            return nil
        }
        return scalar.string
    }

    static func unknownKeys(_ mapping: Node.Mapping, allowed: Set<String>, label: String, problem: Problem) {
        for (key, _) in mapping where !allowed.contains(key.string ?? "") {
            problem(key.mark?.line, "\(label): unknown key '\(key.string ?? "?")'; valid keys: " + allowed.sorted().joined(separator: ", "))
        }
    }

    /// A list of strings; nil (with a problem) when it is something else, nil without one when
    /// absent or null.
    static func stringList(_ node: Node?, key: String, label: String, line: Int?, problem: Problem) -> [String]? {
        guard let node, !isNull(node) else { return nil }
        let at = node.mark?.line ?? line
        guard case .sequence(let sequence) = node else {
            problem(at, "\(label): \(key) must be a list")
            return nil
        }
        var items: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item, !isNull(item) else {
                problem(item.mark?.line ?? at, "\(label): \(key) items must be strings")
                return nil
            }
            items.append(scalar.string)
        }
        return items
    }

    static func itemLine(_ node: Node?, _ index: Int) -> Int? {
        guard case .sequence(let sequence)? = node, index < sequence.count else { return nil }
        return sequence[index].mark?.line
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.tag.description == Tag.Name.null.rawValue
    }

    static func yamlProblem(_ error: YamlError, file: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigurationError(file: file, line: mark.line, reason: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigurationError(
                file: file, line: context.mark.line > 0 ? context.mark.line : nil,
                reason: "invalid YAML: duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", "))
        default:
            return ConfigurationError(file: file, reason: "invalid YAML: \(error)")
        }
    }
}
