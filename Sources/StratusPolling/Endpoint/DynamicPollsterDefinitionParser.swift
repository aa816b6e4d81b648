import StratusCore
import Yams

/// Reads dynamic pollster definitions from the YAML text of one file: a list of definitions (as
/// Ceilometer's `pollsters.d` files), or a single definition mapping.
///
/// Every problem is reported with the file, the line of the offending field and the reason;
/// an invalid definition is left out and the others are kept, so that `stratus polling
/// validate` can print every error at once.
enum DynamicPollsterDefinitionParser {
    /// The fields a definition may have.
    static let fields: Set<String> = [
        "name", "sample_type", "unit", "value_attribute", "endpoint_type", "url_path", "response_entries_key",
        "metadata_fields", "metadata_mapping", "preserve_mapped_metadata", "value_mapping", "default_value",
        "skip_sample_values", "user_id_attribute", "project_id_attribute", "resource_id_attribute", "headers",
        "timeout", "next_sample_url_attribute", "namespaces", "response_handlers",
    ]

    /// Ceilometer fields that Stratus refuses with a reason, rather than ignoring them.
    static let unsupportedFields: [String: String] = [
        "extra_metadata_fields": "chained requests for extra metadata are not supported",
        "extra_metadata_fields_cache_seconds": "chained requests for extra metadata are not supported",
        "extra_metadata_fields_skip": "chained requests for extra metadata are not supported",
        "module": "Python authentication modules cannot be loaded; give a full URL in url_path and headers",
        "authentication_object": "Python authentication modules cannot be loaded; use headers",
        "authentication_parameters": "Python authentication modules cannot be loaded; use headers",
        "barbican_secret_id": "Barbican secrets are not supported; use headers",
        "host_command": "host commands are not supported",
        "base_metadata": "base_metadata is internal to Ceilometer",
    ]

    /// The parsed definitions and the errors of the invalid ones.
    static func parse(_ text: String, file: String) -> (definitions: [DynamicPollsterDefinition], errors: [ConfigurationError]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return ([], [DynamicPollsterYAML.error(error, text: text, file: file)])
        } catch {
            return ([], [ConfigurationError(file: file, reason: "invalid YAML: \(error)")])
        }
        guard let root, !DynamicPollsterYAML.isNull(root) else { return ([], []) }
        let items: [Node]
        switch root {
        case .sequence(let sequence): items = Array(sequence)
        case .mapping: items = [root]
        default:
            return ([], [ConfigurationError(
                file: file, line: root.mark?.line,
                reason: "a pollster definitions file must hold a list of definitions, got \(DynamicPollsterYAML.kind(of: root))")])
        }
        var definitions: [DynamicPollsterDefinition] = []
        var errors: [ConfigurationError] = []
        for item in items {
            do {
                definitions.append(try definition(item, file: file))
            } catch {
                errors.append(error)
            }
        }
        return (definitions, errors)
    }

    /// One definition.
    static func definition(_ node: Node, file: String) throws(ConfigurationError) -> DynamicPollsterDefinition {
        let start = node.mark?.line ?? 1
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(
                file: file, line: start,
                reason: "a pollster definition must be a mapping of fields, got \(DynamicPollsterYAML.kind(of: node))")
        }
        var values: [String: (node: Node, line: Int)] = [:]
        for (key, value) in mapping {
            let line = key.mark?.line ?? start
            guard case .scalar(let scalar) = key else {
                throw ConfigurationError(file: file, line: line, reason: "field names must be strings")
            }
            let field = scalar.string
            if let reason = unsupportedFields[field] {
                throw ConfigurationError(file: file, line: line, reason: "field '\(field)' is not supported: \(reason)")
            }
            guard fields.contains(field) else {
                throw ConfigurationError(
                    file: file, line: line,
                    reason: "unknown field '\(field)'; valid fields: \(fields.sorted().joined(separator: ", "))")
            }
            values[field] = (value, line)
        }
        let reader = FieldReader(values: values, file: file, start: start)
        let name = try reader.requiredString("name")
        try checkName(name, reader: reader)
        let sampleTypeText = try reader.requiredString("sample_type")
        guard let sampleType = SampleType(rawValue: sampleTypeText) else {
            throw reader.error(
                "sample_type", "invalid sample_type '\(sampleTypeText)'; valid ones are gauge, delta, cumulative")
        }
        let unit = try reader.requiredString("unit")
        let multiMetric = try multiMetric(name: name, reader: reader)
        let valueAttribute: AttributePath
        if let multiMetric {
            valueAttribute = .key(multiMetric.listKey)
        } else {
            valueAttribute = try reader.path(try reader.requiredString("value_attribute"), in: "value_attribute")
        }
        let urlPath = try reader.requiredString("url_path")
        let endpointType = try reader.optionalString("endpoint_type")
        if endpointType == nil, !URLReference.isAbsoluteHTTP(urlPath) {
            throw reader.error(
                "url_path",
                "pollster '\(name)' needs endpoint_type (a Keystone service type) unless url_path is a full http(s) URL, got '\(urlPath)'")
        }
        let timeout = try reader.number("timeout") ?? 30
        guard timeout > 0, timeout.isFinite else { throw reader.error("timeout", "timeout must be a positive number of seconds") }
        let namespaces = try reader.stringList("namespaces") ?? [PollingNamespace.central]
        guard !namespaces.isEmpty else { throw reader.error("namespaces", "namespaces must not be empty") }
        for namespace in namespaces where !PollingNamespace.all.contains(namespace) {
            throw reader.error(
                "namespaces", "unknown namespace '\(namespace)'; valid ones are \(PollingNamespace.all.sorted().joined(separator: ", "))")
        }
        var handlers: [DynamicPollsterDefinition.ResponseHandler] = []
        for handler in try reader.stringList("response_handlers") ?? ["json"] {
            guard let parsed = DynamicPollsterDefinition.ResponseHandler(rawValue: handler) else {
                throw reader.error(
                    "response_handlers",
                    "invalid response handler '\(handler)'; valid ones are json, text (xml is not supported)")
            }
            handlers.append(parsed)
        }
        guard !handlers.isEmpty else { throw reader.error("response_handlers", "response_handlers must not be empty") }
        return DynamicPollsterDefinition(
            name: name, sampleType: sampleType, unit: unit, valueAttribute: valueAttribute, multiMetric: multiMetric,
            endpointType: endpointType, urlPath: urlPath,
            responseEntriesKey: try reader.path("response_entries_key"),
            metadataFields: try (reader.stringList("metadata_fields") ?? []).map { field throws(ConfigurationError) in
                try reader.path(field, in: "metadata_fields")
            },
            metadataMapping: try reader.stringMapping("metadata_mapping"),
            preserveMappedMetadata: try reader.bool("preserve_mapped_metadata") ?? true,
            valueMapping: try reader.valueMapping("value_mapping"),
            defaultValue: try reader.scalar("default_value") ?? .number("-1"),
            skipSampleValues: try reader.scalarList("skip_sample_values"),
            userIDAttribute: try reader.path("user_id_attribute") ?? AttributePath.key("user_id"),
            projectIDAttribute: try reader.path("project_id_attribute") ?? AttributePath.key("project_id"),
            resourceIDAttribute: try reader.path("resource_id_attribute") ?? AttributePath.key("id"),
            headers: try reader.stringMapping("headers"),
            timeout: timeout,
            nextSampleURLAttribute: try reader.path("next_sample_url_attribute"),
            namespaces: Set(namespaces),
            responseHandlers: handlers,
            file: file, line: start)
    }

    /// Ceilometer's `^([\w-]+)(\.[\w-]+)*(\.{[\w-]+})?$`.
    static func checkName(_ name: String, reader: FieldReader) throws(ConfigurationError) {
        var segments = name.split(separator: ".", omittingEmptySubsequences: false)
        if segments.count > 1, let last = segments.last, last.hasPrefix("{"), last.hasSuffix("}"), last.count > 2 {
            segments[segments.count - 1] = last.dropFirst().dropLast()
        }
        let valid = segments.allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
        guard valid else {
            throw reader.error(
                "name", "invalid pollster name '\(name)': dot-separated words of letters, digits, '_' and '-' expected")
        }
    }

    /// The multi-metric form: a name ending in `.{attribute}` needs a `value_attribute`
    /// `[list].field` (Ceilometer's `^(\[(\w+)\])((\.\w+)+)$`).
    static func multiMetric(name: String, reader: FieldReader) throws(ConfigurationError) -> DynamicPollsterDefinition.MultiMetric? {
        guard let last = name.split(separator: ".").last, last.hasPrefix("{"), last.hasSuffix("}") else { return nil }
        let attribute = String(last.dropFirst().dropLast())
        let text = try reader.requiredString("value_attribute")
        let isWord: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        guard text.hasPrefix("["), let close = text.firstIndex(of: "]") else {
            throw reader.error(
                "value_attribute",
                "multi-metric pollster '\(name)' needs a value_attribute of the form '[list].field', got '\(text)'")
        }
        let listKey = text[text.index(after: text.startIndex)..<close]
        let rest = text[text.index(after: close)...]
        let fields = rest.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard isWord(listKey), rest.hasPrefix("."), fields.allSatisfy(isWord) else {
            throw reader.error(
                "value_attribute",
                "multi-metric pollster '\(name)' needs a value_attribute of the form '[list].field', got '\(text)'")
        }
        return DynamicPollsterDefinition.MultiMetric(
            nameAttribute: attribute, listKey: String(listKey), valuePath: try reader.path(String(rest.dropFirst()), in: "value_attribute"))
    }
}
