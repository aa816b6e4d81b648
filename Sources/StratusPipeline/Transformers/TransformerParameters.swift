import StratusCore

/// The `parameters` mapping of a transformer in pipeline.yaml, with the line of every key so
/// that a bad parameter is reported where it is written.
public struct TransformerParameters: Sendable, Hashable {
    /// The parameters.
    public var values: [String: TelemetryValue]
    /// The line of each key, by dotted path (`target.scale`).
    public var lines: [String: Int]

    /// Creates parameters.
    public init(_ values: [String: TelemetryValue] = [:], lines: [String: Int] = [:]) {
        self.values = values
        self.lines = lines
    }

    /// Rejects keys outside `allowed`.
    func checkKeys(_ allowed: Set<String>, in mapping: [String: TelemetryValue], path: String) throws(TransformerParameterError) {
        for key in mapping.keys.sorted() where !allowed.contains(key) {
            throw TransformerParameterError(
                path: path.isEmpty ? key : "\(path).\(key)",
                reason: "unknown parameter; valid: " + allowed.sorted().joined(separator: ", "))
        }
    }

    /// A nested mapping (`source`, `target`, `map_from`), empty when absent or null.
    static func mapping(_ value: TelemetryValue?, path: String) throws(TransformerParameterError) -> [String: TelemetryValue] {
        switch value {
        case nil, .null?: return [:]
        case .dictionary(let entries)?: return entries
        default: throw TransformerParameterError(path: path, reason: "must be a mapping")
        }
    }

    /// A string, or nil when absent or null.
    static func string(_ value: TelemetryValue?, path: String) throws(TransformerParameterError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: throw TransformerParameterError(path: path, reason: "must be a string")
        }
    }

    /// A number, or nil when absent or null (numeric strings accepted, as Python's `float()`).
    static func number(_ value: TelemetryValue?, path: String) throws(TransformerParameterError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .bool?: throw TransformerParameterError(path: path, reason: "must be a number, got a boolean")
        case let value?:
            guard let number = PythonFloat.parse(value), number.isFinite else {
                throw TransformerParameterError(path: path, reason: "must be a number")
            }
            return number
        }
    }

    /// A boolean (YAML booleans, or the strings true/false/yes/no/1/0), `defaultValue` when absent.
    static func bool(_ value: TelemetryValue?, path: String, default defaultValue: Bool) throws(TransformerParameterError) -> Bool {
        switch value {
        case nil, .null?: return defaultValue
        case .bool(let flag)?: return flag
        case .int(let number)? where number == 0 || number == 1: return number == 1
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: break
            }
        default: break
        }
        throw TransformerParameterError(path: path, reason: "must be a boolean")
    }

    /// One of `choices`, `defaultValue` when absent.
    static func choice(_ value: TelemetryValue?, path: String, choices: [String], default defaultValue: String?) throws(TransformerParameterError) -> String? {
        guard let text = try string(value, path: path) else { return defaultValue }
        guard choices.contains(text) else {
            throw TransformerParameterError(path: path, reason: "must be one of " + choices.joined(separator: ", ") + ", got '\(text)'")
        }
        return text
    }
}

/// A transformer parameter that is missing, of the wrong type or out of range.
public struct TransformerParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The dotted path of the parameter (`target.scale`), empty for the whole mapping.
    public var path: String
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
