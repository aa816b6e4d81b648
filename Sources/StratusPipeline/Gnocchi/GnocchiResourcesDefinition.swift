#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StratusCore
import Yams

/// A problem of an attribute path, without location (the parser adds file and line).
public struct GnocchiDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// An invalid gnocchi_resources.yaml: every problem with file, line and reason.
public struct GnocchiResourcesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in file order.
    public var problems: [ConfigurationError]

    /// Creates the error.
    public init(_ problems: [ConfigurationError]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// `gnocchi_resources.yaml` (reference B10): the archive policies the Gnocchi publisher creates,
/// and for each Gnocchi resource type the meters stored on it and the attributes taken from the
/// samples.
public struct GnocchiResourcesDefinition: Sendable {
    /// An archive policy to create on first publish, as written (the body of
    /// `POST /v1/archive_policy`).
    public struct ArchivePolicy: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// The mapping as written in the file.
        public var body: TelemetryValue
    }

    /// One entry of `resources:`.
    public struct Resource: Sendable {
        /// The Gnocchi resource type (`instance`).
        public var resourceType: String
        /// Meter name → archive policy name (the file's, else `archive_policy_default`).
        public var metrics: [String: String]
        /// The deprecated type-level `archive_policy`, which wins over everything (as in Ceilometer).
        public var archivePolicy: String?
        /// Resource attribute → where it comes from in the sample, sorted by attribute name.
        public var attributes: [(name: String, path: AttributePath)]
        /// Whether the attributes read nothing but `resource_metadata` (then samples with equal
        /// metadata and `project_id` give equal attributes).
        public var attributesReadOnlyMetadata: Bool
        /// The line of the entry.
        public var line: Int?
    }

    /// Whether `attributes` read nothing but `resource_metadata`.
    static func readOnlyMetadata(_ attributes: [(name: String, path: AttributePath)]) -> Bool {
        attributes.allSatisfy { attribute in attribute.path.alternatives.allSatisfy { $0.first == "resource_metadata" } }
    }

    /// `archive_policy_default` (Ceilometer's default `ceilometer-low`).
    public var archivePolicyDefault: String
    /// `archive_policies`.
    public var archivePolicies: [ArchivePolicy]
    /// `resources`, in file order.
    public var resources: [Resource]

    /// The keys a `resources:` entry may have; the `event_*` ones concern events, which Stratus's
    /// pipelines do not carry, and are accepted and ignored.
    static let resourceKeys: Set<String> = [
        "resource_type", "metrics", "attributes", "archive_policy", "event_create", "event_delete", "event_update",
        "event_attributes", "event_associated_resources",
    ]

    /// The archive policy of each meter, and its resource definition: the type-level
    /// `archive_policy`, else `override` (the publisher's `archive_policy` option), else the
    /// file's. A meter listed twice belongs to the last entry, as in Ceilometer.
    public func metricMap(override: String?) -> [String: (resource: Int, archivePolicy: String)] {
        var map: [String: (resource: Int, archivePolicy: String)] = [:]
        for (index, resource) in resources.enumerated() {
            for (name, policy) in resource.metrics {
                map[name] = (index, resource.archivePolicy ?? override ?? policy)
            }
        }
        return map
    }

    /// The bundled file (Ceilometer 27.0.0's plus the default pipeline's transformer outputs and
    /// the `hardware.*` host types), parsed once.
    public static let bundled: GnocchiResourcesDefinition = {
        do {
            return try parse(yaml: GnocchiResourcesDefault.yaml, file: "gnocchi_resources.yaml (bundled)")
        } catch {
            preconditionFailure("the bundled gnocchi_resources.yaml is invalid: \(error)")
        }
    }()

    /// The bundled text.
    public static var bundledText: String { GnocchiResourcesDefault.yaml }

    /// Reads a definitions file.
    /// - Throws: ``GnocchiResourcesError`` when it cannot be read or is invalid.
    public static func load(path: String) throws(GnocchiResourcesError) -> GnocchiResourcesDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GnocchiResourcesError([ConfigurationError(file: path, reason: "cannot read resources definition file: \(error)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses definitions.
    /// - Parameters:
    ///   - yaml: The text.
    ///   - file: The name used in errors.
    /// - Throws: ``GnocchiResourcesError`` with every problem.
    public static func parse(yaml: String, file: String) throws(GnocchiResourcesError) -> GnocchiResourcesDefinition {
        var problems: [ConfigurationError] = []
        func problem(_ line: Int?, _ reason: String) { problems.append(ConfigurationError(file: file, line: line, reason: reason)) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw GnocchiResourcesError([PipelineDefinition.yamlProblem(error, file: file)])
        } catch {
            throw GnocchiResourcesError([ConfigurationError(file: file, reason: "invalid YAML: \(error)")])
        }
        guard let root, case .mapping(let top) = root else {
            throw GnocchiResourcesError([ConfigurationError(file: file, line: root?.mark?.line, reason: "the resources definition must be a mapping")])
        }
        PipelineDefinition.unknownKeys(top, allowed: ["archive_policy_default", "archive_policies", "resources"], label: "resources definition") {
            problem($0, $1)
        }
        var archivePolicyDefault = "ceilometer-low"
        if let node = top["archive_policy_default"], !PipelineDefinition.isNull(node) {
            if case .scalar(let scalar) = node, !scalar.string.isEmpty {
                archivePolicyDefault = scalar.string
            } else {
                problem(node.mark?.line, "archive_policy_default must be a name")
            }
        }
        var policies: [ArchivePolicy] = []
        if let node = top["archive_policies"], !PipelineDefinition.isNull(node) {
            if case .sequence(let items) = node {
                for item in items {
                    var lines: [String: Int] = [:]
                    let value = PipelineDefinition.telemetryValue(item, path: "", lines: &lines)
                    guard case .dictionary(let entries) = value, case .string(let name)? = entries["name"], !name.isEmpty else {
                        problem(item.mark?.line, "an archive policy must be a mapping with a name")
                        continue
                    }
                    guard entries["definition"] != nil else {
                        problem(item.mark?.line, "archive policy '\(name)' needs a definition")
                        continue
                    }
                    policies.append(ArchivePolicy(name: name, body: value))
                }
            } else {
                problem(node.mark?.line, "archive_policies must be a list")
            }
        }
        var resources: [Resource] = []
        if let node = top["resources"], !PipelineDefinition.isNull(node) {
            if case .sequence(let items) = node {
                for item in items {
                    if let resource = parseResource(item, archivePolicyDefault: archivePolicyDefault, problem: problem) {
                        resources.append(resource)
                    }
                }
            } else {
                problem(node.mark?.line, "resources must be a list")
            }
        } else {
            problem(top.mark?.line ?? root.mark?.line, "resources required")
        }
        guard problems.isEmpty else { throw GnocchiResourcesError(problems) }
        return GnocchiResourcesDefinition(archivePolicyDefault: archivePolicyDefault, archivePolicies: policies, resources: resources)
    }

    private static func parseResource(
        _ node: Node, archivePolicyDefault: String, problem: (Int?, String) -> Void
    ) -> Resource? {
        let line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            problem(line, "a resource definition must be a mapping")
            return nil
        }
        guard let typeNode = mapping["resource_type"], case .scalar(let typeScalar) = typeNode,
              !PipelineDefinition.isNull(typeNode), !typeScalar.string.isEmpty else {
            problem(line, "Required field resource_type not specified")
            return nil
        }
        let type = typeScalar.string
        let label = "resource type '\(type)'"
        PipelineDefinition.unknownKeys(mapping, allowed: resourceKeys, label: label) { problem($0, $1) }
        var typeLevelPolicy: String?
        if let node = mapping["archive_policy"], !PipelineDefinition.isNull(node) {
            if case .scalar(let scalar) = node { typeLevelPolicy = scalar.string } else {
                problem(node.mark?.line, "\(label): archive_policy must be a name")
            }
        }
        var metrics: [String: String] = [:]
        switch mapping["metrics"] {
        case .sequence(let items)?:
            for item in items {
                guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                    problem(item.mark?.line ?? line, "\(label): metric names must be strings")
                    continue
                }
                metrics[scalar.string] = archivePolicyDefault
            }
        case .mapping(let entries)?:
            for (key, value) in entries {
                guard let name = key.string, !name.isEmpty else {
                    problem(key.mark?.line ?? line, "\(label): metric names must be strings")
                    continue
                }
                var policy = archivePolicyDefault
                if !PipelineDefinition.isNull(value) {
                    guard case .mapping(let extra) = value else {
                        problem(value.mark?.line ?? key.mark?.line, "\(label): metric '\(name)' must map to nothing or to {archive_policy_name: …}")
                        continue
                    }
                    for (extraKey, _) in extra where extraKey.string != "archive_policy_name" {
                        problem(extraKey.mark?.line, "\(label): metric '\(name)': unknown key '\(extraKey.string ?? "?")'; valid keys: archive_policy_name")
                    }
                    if let node = extra["archive_policy_name"], case .scalar(let scalar) = node, !PipelineDefinition.isNull(node),
                       !scalar.string.isEmpty {
                        policy = scalar.string
                    }
                }
                metrics[name] = policy
            }
        default:
            problem(mapping["metrics"]?.mark?.line ?? line, "\(label): Required field metrics should be a mapping or a list")
            return nil
        }
        var attributes: [(name: String, path: AttributePath)] = []
        if let node = mapping["attributes"], !PipelineDefinition.isNull(node) {
            guard case .mapping(let entries) = node else {
                problem(node.mark?.line ?? line, "\(label): attributes must be a mapping")
                return nil
            }
            for (key, value) in entries {
                guard let name = key.string, !name.isEmpty else { continue }
                do {
                    attributes.append((name, try attributePath(value)))
                } catch {
                    problem(value.mark?.line ?? key.mark?.line, "\(label): attribute '\(name)': \(error.reason)")
                }
            }
        }
        attributes.sort { $0.name < $1.name }
        return Resource(
            resourceType: type, metrics: metrics, archivePolicy: typeLevelPolicy, attributes: attributes,
            attributesReadOnlyMetadata: readOnlyMetadata(attributes), line: line)
    }

    /// A string path, or a mapping `{fields: path | [paths]}` (Ceilometer's declarative form; trait
    /// plug-ins are not supported).
    private static func attributePath(_ node: Node) throws(GnocchiDefinitionError) -> AttributePath {
        switch node {
        case .scalar(let scalar):
            return try AttributePath(scalar.string)
        case .mapping(let mapping):
            for (key, _) in mapping where key.string != "fields" {
                throw GnocchiDefinitionError("unknown key '\(key.string ?? "?")' (only 'fields' is supported; trait plug-ins are not)")
            }
            switch mapping["fields"] {
            case .scalar(let scalar)?: return try AttributePath(scalar.string)
            case .sequence(let items)?:
                var paths: [AttributePath] = []
                for item in items {
                    guard case .scalar(let scalar) = item else { throw GnocchiDefinitionError("fields must be strings") }
                    paths.append(try AttributePath(scalar.string))
                }
                guard !paths.isEmpty else { throw GnocchiDefinitionError("fields is empty") }
                return AttributePath(union: paths)
            default:
                throw GnocchiDefinitionError("a mapping needs 'fields'")
            }
        default:
            throw GnocchiDefinitionError("must be a path such as resource_metadata.host")
        }
    }
}
