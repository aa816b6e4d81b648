import Yams

/// Reads `stratus.yaml` into per-section entries that remember their line.
enum YAMLConfigurationReader {
    static func read(_ text: String, file: String) throws(ConfigurationError) -> [String: ConfigurationSectionData] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw configurationError(error, text: text, file: file)
        } catch {
            throw ConfigurationError(file: file, reason: "invalid YAML: \(error)")
        }
        guard let root else { return [:] }
        if isNull(root) { return [:] }
        guard case .mapping(let mapping) = root else {
            throw ConfigurationError(
                file: file, line: root.mark?.line,
                reason: "the configuration must be a mapping of sections, got \(kind(of: root))")
        }
        var sections: [String: ConfigurationSectionData] = [:]
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line
            guard case .scalar(let keyScalar) = keyNode else {
                throw ConfigurationError(file: file, line: line, reason: "section names must be strings")
            }
            let name = keyScalar.string
            guard ConfigurationFile.knownSections.contains(name) else {
                throw ConfigurationError(
                    file: file, line: line,
                    reason: "unknown section '\(name)'; valid sections: "
                        + ConfigurationFile.knownSections.sorted().joined(separator: ", "))
            }
            var data = ConfigurationSectionData(line: line)
            if isNull(valueNode) {
                sections[name] = data
                continue
            }
            guard case .mapping(let entries) = valueNode else {
                throw ConfigurationError(
                    file: file, line: valueNode.mark?.line ?? line,
                    reason: "section '\(name)' must be a mapping of options, got \(kind(of: valueNode))")
            }
            for (entryKey, entryValue) in entries {
                let entryLine = entryKey.mark?.line ?? line ?? 0
                guard case .scalar(let entryScalar) = entryKey else {
                    throw ConfigurationError(file: file, line: entryLine, reason: "option names in '\(name)' must be strings")
                }
                data.file[entryScalar.string] = ConfigurationEntry(
                    value: value(of: entryValue), origin: .file(line: entryLine))
            }
            sections[name] = data
        }
        return sections
    }

    static func value(of node: Node) -> ConfigurationValue {
        switch node {
        case .scalar(let scalar):
            return isNull(node) ? .null : .scalar(scalar.string)
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item, !isNull(item) else {
                    return .nested(kind: "a list holding \(kind(of: item))")
                }
                items.append(scalar.string)
            }
            return .list(items)
        case .mapping:
            return .nested(kind: "a mapping")
        case .alias:
            return .nested(kind: "an alias")
        }
    }

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

    static func configurationError(_ error: YamlError, text: String, file: String) -> ConfigurationError {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var reason = "invalid YAML: \(problem)"
            if let context { reason += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return ConfigurationError(file: file, line: mark.line, reason: reason)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigurationError(
                file: file, line: context.mark.line > 0 ? context.mark.line : nil,
                reason: "invalid YAML: duplicate key \(keys)")
        case let .reader(problem, offset, _, _):
            var line: Int?
            if let offset {
                line = 1 + text.utf8.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            return ConfigurationError(file: file, line: line, reason: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(file: file, reason: "invalid YAML: \(error)")
        }
    }
}

extension ConfigurationError {
    /// A Yams parse error as a configuration error with its line (and, for a reader error, the line of its
    /// byte offset in `text`), as every YAML file Stratus reads reports them.
    public init(yaml error: YamlError, text: String, file: String) {
        self = YAMLConfigurationReader.configurationError(error, text: text, file: file)
    }
}
