import StratusCore

/// A resource attribute mapping of gnocchi_resources.yaml, such as
/// `resource_metadata.(instance_flavor_id|(flavor.id)|flavor_id)`: the "jsonpath-ish" paths
/// Ceilometer evaluates with `jsonpath_rw_ext` over `sample.as_dict()` (reference B10).
///
/// Supported: dotted field names, and parenthesised alternatives `(a|b.c|(d.e))` anywhere in the
/// path; the value is the first alternative, in order, that exists and is not null (as
/// Ceilometer's `declarative.Definition.parse` takes the first non-None match).
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The path as written.
    public let text: String
    /// Every concrete key path the alternatives expand to, in order.
    public let alternatives: [[String]]

    /// Parses a path.
    /// - Throws: ``GnocchiDefinitionError`` (without a location) for an empty path, an empty
    ///   segment or unbalanced parentheses.
    public init(_ text: String) throws(GnocchiDefinitionError) {
        self.text = text
        var parser = Parser(Array(text.unicodeScalars))
        let result = try parser.path(until: nil)
        guard parser.atEnd else { throw GnocchiDefinitionError("attribute path '\(text)': unexpected ')'") }
        guard !result.isEmpty, result.allSatisfy({ !$0.isEmpty }) else {
            throw GnocchiDefinitionError("attribute path '\(text)' is empty")
        }
        alternatives = result
    }

    /// Several paths tried in order (a `fields` list).
    init(union paths: [AttributePath]) {
        text = paths.map(\.text).joined(separator: " | ")
        alternatives = paths.flatMap(\.alternatives)
    }

    public var description: String { text }

    /// The first non-null value the path finds in `sample` (fields of `Sample.as_dict()`), or nil.
    public func value(in sample: Sample) -> TelemetryValue? {
        for keys in alternatives {
            if let value = Self.lookup(keys, in: sample), value != .null { return value }
        }
        return nil
    }

    private static func lookup(_ keys: [String], in sample: Sample) -> TelemetryValue? {
        guard let first = keys.first else { return nil }
        var current: TelemetryValue
        switch first {
        case "resource_metadata":
            guard keys.count > 1 else { return .dictionary(sample.resourceMetadata) }
            guard let value = sample.resourceMetadata[keys[1]] else { return nil }
            current = value
            return descend(current, keys.dropFirst(2))
        case "name": current = .string(sample.name)
        case "type": current = .string(sample.type.rawValue)
        case "unit": current = .string(sample.unit)
        case "volume": current = sample.volume
        case "user_id": current = TelemetryValue(sample.userID)
        case "project_id": current = TelemetryValue(sample.projectID)
        case "user_name": current = TelemetryValue(sample.userName)
        case "project_name": current = TelemetryValue(sample.projectName)
        case "resource_id": current = .string(sample.resourceID)
        case "timestamp": current = TelemetryValue(sample.timestamp)
        case "source": current = .string(sample.source)
        case "id": current = .string(sample.id)
        case "monotonic_time": current = sample.monotonicTime.map { .double($0) } ?? .null
        default: return nil
        }
        return descend(current, keys.dropFirst())
    }

    private static func descend(_ start: TelemetryValue, _ keys: ArraySlice<String>) -> TelemetryValue? {
        var current = start
        for key in keys {
            guard case .dictionary(let entries) = current, let next = entries[key] else { return nil }
            current = next
        }
        return current
    }

    /// Recursive descent over `path := term ('.' term)*`, `term := name | '(' path ('|' path)* ')'`;
    /// each production returns the key paths it expands to.
    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }

        mutating func path(until terminators: Set<Unicode.Scalar>?) throws(GnocchiDefinitionError) -> [[String]] {
            var result: [[String]] = [[]]
            while true {
                let term = try self.term()
                result = result.flatMap { prefix in term.map { prefix + $0 } }
                guard !atEnd else { return result }
                let next = scalars[index]
                if next == "." {
                    index += 1
                    continue
                }
                if let terminators, terminators.contains(next) { return result }
                if terminators == nil, next == ")" { return result }
                throw GnocchiDefinitionError("attribute path '\(String(String.UnicodeScalarView(scalars)))': unexpected '\(next)'")
            }
        }

        mutating func term() throws(GnocchiDefinitionError) -> [[String]] {
            let text = String(String.UnicodeScalarView(scalars))
            guard !atEnd else { throw GnocchiDefinitionError("attribute path '\(text)' ends after '.'") }
            if scalars[index] == "(" {
                index += 1
                depth += 1
                defer { depth -= 1 }
                guard depth <= 16 else { throw GnocchiDefinitionError("attribute path '\(text)' nests parentheses too deeply") }
                var options: [[String]] = []
                while true {
                    options += try path(until: ["|", ")"])
                    guard !atEnd else { throw GnocchiDefinitionError("attribute path '\(text)': missing ')'") }
                    let separator = scalars[index]
                    index += 1
                    if separator == ")" { return options }
                }
            }
            var name = ""
            while !atEnd, !".()|".unicodeScalars.contains(scalars[index]) {
                name.unicodeScalars.append(scalars[index])
                index += 1
            }
            let trimmed = String(name.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard !trimmed.isEmpty else { throw GnocchiDefinitionError("attribute path '\(text)' has an empty field name") }
            return [[trimmed]]
        }
    }
}
