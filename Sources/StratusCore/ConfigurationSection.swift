/// The options of one configuration section, with typed getters that report the file, line and
/// reason of a wrong value.
///
/// Each getter returns the command-line override if there is one, else the environment variable,
/// else the file's value, else `default`. A YAML null (`key:` or `key: ~`) counts as not set.
public struct ConfigurationSection: Sendable {
    /// The section name, such as `metricd`.
    public let name: String
    /// The configuration file, for error messages.
    public let file: String?
    let data: ConfigurationSectionData

    init(name: String, file: String?, data: ConfigurationSectionData) {
        self.name = name
        self.file = file
        self.data = data
    }

    /// Every key set for this section, by the file, the environment or an override, sorted.
    public var keys: [String] {
        Set(data.file.keys).union(data.environment.keys).union(data.overrides.keys).sorted()
    }

    /// True if `key` is set anywhere (a YAML null counts as not set).
    public func contains(_ key: String) -> Bool {
        guard let entry = entry(key) else { return false }
        return entry.value != .null
    }

    /// The 1-based line of `key` in the file, or of the section when the key is not in the file.
    public func line(of key: String) -> Int? {
        if case .file(let line)? = data.file[key]?.origin { return line }
        return data.line
    }

    /// An error about `key`, located where its value comes from (file and line, environment
    /// variable or override), for checks the getters cannot make (unsupported driver, …).
    /// - Parameters:
    ///   - key: The option the error is about.
    ///   - reason: What is wrong, starting with the option, e.g. `"storage.driver must be …"`.
    public func error(_ key: String, _ reason: String) -> ConfigurationError {
        switch entry(key)?.origin {
        case .file(let line)?:
            return ConfigurationError(file: file, line: line, reason: reason)
        case .environment(let variable)?:
            return ConfigurationError(reason: "\(reason) (from environment variable \(variable))")
        case .override(let text)?:
            return ConfigurationError(reason: "\(reason) (from command-line override '\(text)')")
        case nil:
            return ConfigurationError(file: file, line: data.line, reason: reason)
        }
    }

    // MARK: - Getters

    /// A string; any scalar is accepted as written.
    public func string(_ key: String, default defaultValue: String) throws(ConfigurationError) -> String {
        try optionalString(key) ?? defaultValue
    }

    /// A string, or nil when the key is not set (or set to YAML null).
    public func optionalString(_ key: String) throws(ConfigurationError) -> String? {
        guard let (text, _) = try scalar(key, expected: "a string") else { return nil }
        return text
    }

    /// A decimal integer.
    public func int(_ key: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let (text, _) = try scalar(key, expected: "an integer") else { return defaultValue }
        guard let value = Int(text.trimmingSpaces()) else {
            throw error(key, "\(qualified(key)) must be an integer, got '\(text)'")
        }
        return value
    }

    /// A finite floating-point number.
    public func double(_ key: String, default defaultValue: Double) throws(ConfigurationError) -> Double {
        guard let (text, _) = try scalar(key, expected: "a number") else { return defaultValue }
        guard let value = Double(text.trimmingSpaces()), value.isFinite else {
            throw error(key, "\(qualified(key)) must be a number, got '\(text)'")
        }
        return value
    }

    /// A boolean as oslo.config reads it: `true/false`, `yes/no`, `on/off`, `1/0`, `t/f`, `y/n`,
    /// in any case.
    public func bool(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let (text, _) = try scalar(key, expected: "a boolean") else { return defaultValue }
        switch text.trimmingSpaces().lowercased() {
        case "true", "yes", "on", "1", "t", "y": return true
        case "false", "no", "off", "0", "f", "n": return false
        default: throw error(key, "\(qualified(key)) must be a boolean (true or false), got '\(text)'")
        }
    }

    /// A duration in nanoseconds: a number of seconds (`60`, `0.5`) or a Gnocchi timespan
    /// (`"5 minutes"`, `"1h"`, `"0:05:00"`), see ``Durations/parse(_:)``.
    /// - Parameters:
    ///   - key: The option.
    ///   - seconds: The default, in seconds.
    public func duration(_ key: String, default seconds: Double) throws(ConfigurationError) -> Int64 {
        guard let (text, _) = try scalar(key, expected: "a duration") else {
            return Int64((seconds * 1e9).rounded(.towardZero))
        }
        do {
            return try Durations.parse(text)
        } catch {
            throw self.error(key, "\(qualified(key)) must be a duration (seconds, or e.g. '5 minutes'), got '\(text)'")
        }
    }

    /// A list of strings: a YAML sequence, or a comma-separated string (as in environment
    /// variables and overrides: `"mean,max"`). Items are trimmed; empty items are dropped.
    public func stringList(_ key: String, default defaultValue: [String]) throws(ConfigurationError) -> [String] {
        guard let entry = entry(key) else { return defaultValue }
        switch entry.value {
        case .null:
            return defaultValue
        case .list(let items):
            return items
        case .scalar(let text):
            return text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        case .nested(let kind):
            throw error(key, "\(qualified(key)) must be a list of strings, got \(kind)")
        }
    }

    /// Rejects keys this section does not define, set in the file or by an override.
    ///
    /// Environment variables are not checked: `STRATUS_…` variables that match no option are
    /// ignored, so that variables meant for other programs do not stop a role.
    /// - Parameter keys: The options the component reads.
    /// - Throws: `ConfigurationError` for the first unknown key (in file order, then overrides),
    ///   with its line and the list of valid options.
    public func checkKnownKeys(_ keys: Set<String>) throws(ConfigurationError) {
        let valid = keys.sorted().joined(separator: ", ")
        let unknownInFile = data.file
            .filter { !keys.contains($0.key) }
            .sorted { lhs, rhs in
                (line(of: lhs.key) ?? 0, lhs.key) < (line(of: rhs.key) ?? 0, rhs.key)
            }
        if let (key, entry) = unknownInFile.first, case .file(let line) = entry.origin {
            throw ConfigurationError(
                file: file, line: line, reason: "unknown option '\(qualified(key))'; valid options: \(valid)")
        }
        if let key = data.overrides.keys.filter({ !keys.contains($0) }).sorted().first,
           case .override(let text)? = data.overrides[key]?.origin {
            throw ConfigurationError(
                reason: "unknown option '\(qualified(key))' in command-line override '\(text)'; valid options: \(valid)")
        }
    }

    // MARK: - Internals

    func entry(_ key: String) -> ConfigurationEntry? {
        data.overrides[key] ?? data.environment[key] ?? data.file[key]
    }

    func qualified(_ key: String) -> String { "\(name).\(key)" }

    /// The scalar text of `key`, nil when not set; throws when it is a list or mapping.
    private func scalar(_ key: String, expected: String) throws(ConfigurationError) -> (String, ConfigurationOrigin)? {
        guard let entry = entry(key) else { return nil }
        switch entry.value {
        case .null:
            return nil
        case .scalar(let text):
            return (text, entry.origin)
        case .list:
            throw error(key, "\(qualified(key)) must be \(expected), got a list")
        case .nested(let kind):
            throw error(key, "\(qualified(key)) must be \(expected), got \(kind)")
        }
    }
}
