import StratusCore
import Yams

/// A parsed `polling.yaml` (reference B2): its sources, checked as Ceilometer's
/// `PollingManager` checks them, every problem reported with file, line and reason.
public struct PollingDefinitions: Sendable, Hashable {
    /// The sources, in file order.
    public var sources: [PollingSource]
    /// The file they come from (or `<embedded polling.yaml>`), for messages.
    public var file: String

    /// The keys a source may have.
    public static let sourceKeys: Set<String> = [
        "name", "interval", "meters", "resources", "discovery", "group_id_coordination_expression",
    ]

    /// Creates definitions from checked sources.
    public init(sources: [PollingSource], file: String) {
        self.sources = sources
        self.file = file
    }

    /// The distinct intervals, ascending: one polling task each.
    public var intervals: [Int] { Set(sources.map(\.interval)).sorted() }

    /// Reads and checks a file.
    /// - Throws: ``PollingDefinitionsError`` with every problem found.
    public static func load(path: String) throws(PollingDefinitionsError) -> PollingDefinitions {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PollingDefinitionsError([ConfigurationError(file: path, reason: "cannot read polling definitions: \(error)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses and checks YAML text.
    /// - Parameters:
    ///   - yaml: The document.
    ///   - file: The name used in messages.
    /// - Throws: ``PollingDefinitionsError`` with every problem found.
    public static func parse(yaml: String, file: String) throws(PollingDefinitionsError) -> PollingDefinitions {
        var problems: [ConfigurationError] = []
        func problem(_ line: Int?, _ reason: String) {
            problems.append(ConfigurationError(file: file, line: line, reason: reason))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PollingDefinitionsError([yamlProblem(error, file: file)])
        } catch {
            throw PollingDefinitionsError([ConfigurationError(file: file, reason: "invalid YAML: \(error)")])
        }
        guard let root, case .mapping(let top) = root else {
            throw PollingDefinitionsError([ConfigurationError(
                file: file, line: root?.mark?.line, reason: "polling definitions must be a mapping with a 'sources' list")])
        }
        guard let sourcesNode = top["sources"] else {
            throw PollingDefinitionsError([ConfigurationError(file: file, line: root.mark?.line, reason: "sources required")])
        }
        for (key, _) in top where key.string != "sources" {
            problem(key.mark?.line, "unknown key '\(key.string ?? "?")'; polling definitions hold only 'sources'")
        }
        guard case .sequence(let sequence) = sourcesNode else {
            throw PollingDefinitionsError(problems + [ConfigurationError(
                file: file, line: sourcesNode.mark?.line, reason: "sources must be a list of sources")])
        }
        var sources: [PollingSource] = []
        var names: [String: Int] = [:]
        for node in sequence {
            let line = node.mark?.line
            guard case .mapping(let mapping) = node else {
                problem(line, "a source must be a mapping with name, interval and meters")
                continue
            }
            let label: String
            if let nameNode = mapping["name"], let name = nameNode.string, !name.isEmpty {
                label = "source '\(name)'"
                if let first = names[name] {
                    problem(nameNode.mark?.line ?? line, "Duplicated source names: \(name) (first at line \(first))")
                } else {
                    names[name] = nameNode.mark?.line ?? line ?? 0
                }
            } else {
                label = "source"
                problem(line, "Missing name value")
            }
            for (key, _) in mapping where !sourceKeys.contains(key.string ?? "") {
                problem(key.mark?.line, "\(label): unknown key '\(key.string ?? "?")'; valid keys: "
                    + sourceKeys.sorted().joined(separator: ", "))
            }
            let interval = parseInterval(mapping["interval"], label: label, line: line, problem: problem)
            let meters = parseList(mapping["meters"], key: "meters", label: label, line: line, problem: problem)
            var selector: MeterSelector?
            if let meters {
                do {
                    selector = try MeterSelector(meters)
                } catch {
                    problem(mapping["meters"]?.mark?.line ?? line, "\(label): \(error)")
                }
            } else if mapping["meters"] == nil {
                problem(line, "\(label): Missing meters value")
            }
            let resources = parseList(mapping["resources"], key: "resources", label: label, line: line, problem: problem) ?? []
            let discovery = parseList(mapping["discovery"], key: "discovery", label: label, line: line, problem: problem) ?? []
            for item in discovery where DiscoveryName(item).name.isEmpty {
                problem(mapping["discovery"]?.mark?.line ?? line, "\(label): empty discovery name in '\(item)'")
            }
            let expression = mapping["group_id_coordination_expression"]?.string
            if let name = mapping["name"]?.string, !name.isEmpty, let interval, let selector {
                sources.append(PollingSource(
                    name: name, interval: interval, meters: selector, resources: resources, discovery: discovery,
                    groupIDCoordinationExpression: expression, line: line))
            }
        }
        guard problems.isEmpty else { throw PollingDefinitionsError(problems) }
        return PollingDefinitions(sources: sources, file: file)
    }

    /// `int(cfg['interval'])` as Ceilometer: an integer, or a number truncated to one; > 0.
    private static func parseInterval(
        _ node: Node?, label: String, line: Int?, problem: (Int?, String) -> Void
    ) -> Int? {
        guard let node, !isNull(node) else {
            problem(line, "\(label): Missing interval value")
            return nil
        }
        let at = node.mark?.line ?? line
        guard case .scalar(let scalar) = node else {
            problem(at, "\(label): Invalid interval value: must be a number of seconds")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: " \t")
        var value: Int?
        if let integer = Int(text) {
            value = integer
        } else if scalar.style == .plain, let number = Double(text), number.isFinite, abs(number) < 1e15 {
            value = Int(number)  // a YAML float: Python's int() truncates it
        }
        guard let value else {
            problem(at, "\(label): Invalid interval value '\(scalar.string)'")
            return nil
        }
        guard value > 0 else {
            problem(at, "\(label): Interval value should > 0, got \(value)")
            return nil
        }
        return value
    }

    /// A list of strings, or nil (with a problem) when it is something else; nil without a
    /// problem when absent or null.
    private static func parseList(
        _ node: Node?, key: String, label: String, line: Int?, problem: (Int?, String) -> Void
    ) -> [String]? {
        guard let node, !isNull(node) else { return nil }
        let at = node.mark?.line ?? line
        guard case .sequence(let sequence) = node else {
            problem(at, "\(label): \(key.prefix(1).uppercased() + key.dropFirst()) should be a list")
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

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.tag.description == Tag.Name.null.rawValue
    }

    private static func yamlProblem(_ error: YamlError, file: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ConfigurationError(file: file, line: mark.line, reason: "invalid YAML: \(problem)")
        case .composer(_, let problem, let mark, _):
            return ConfigurationError(file: file, line: mark.line, reason: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(file: file, reason: "invalid YAML: \(error)")
        }
    }
}

/// Problems of a polling definitions file, each with file, line and reason.
public struct PollingDefinitionsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var problems: [ConfigurationError]

    /// Creates the error.
    public init(_ problems: [ConfigurationError]) {
        self.problems = problems
    }

    /// One `file:line: reason` per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var slice = Substring(self)
        while let first = slice.unicodeScalars.first, scalars.contains(first) { slice = slice.dropFirst() }
        while let last = slice.unicodeScalars.last, scalars.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
