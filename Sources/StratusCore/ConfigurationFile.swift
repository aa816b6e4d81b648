#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Stratus configuration: one YAML file (`stratus.yaml`) whose top-level keys are sections
/// named after Gnocchi's, Ceilometer's and Aodh's oslo groups, overridden by environment variables
/// `STRATUS_<SECTION>_<KEY>` and by command-line overrides `section.key=value`.
///
/// Precedence for every key: command-line override, then environment variable, then file, then
/// the default the component passes to the getter. Components read their section through a
/// ``ConfigurationSection`` and keep no reference to the whole configuration.
public struct ConfigurationFile: Sendable {
    /// The sections a configuration file may contain.
    public static let knownSections: Set<String> = [
        "api", "storage", "incoming", "indexer", "metricd", "statsd", "polling", "notification",
        "publisher", "evaluator", "archive_policy", "cors", "compute", "service_credentials",
    ]

    /// The prefix of the environment variables that override configuration keys.
    public static let environmentPrefix = "STRATUS_"

    /// The file the configuration was read from; nil when only defaults, environment and
    /// overrides apply.
    public let path: String?

    private let sections: [String: ConfigurationSectionData]

    /// Loads the configuration.
    /// - Parameters:
    ///   - path: The YAML file to read, or nil for the embedded defaults only.
    ///   - environment: The process environment; only `STRATUS_<SECTION>_<KEY>` variables whose
    ///     section is known are used (for example `STRATUS_METRICD_WORKERS`,
    ///     `STRATUS_ARCHIVE_POLICY_DEFAULT_AGGREGATION_METHODS`). The key is the rest of the name
    ///     in lower case. Other variables are ignored.
    ///   - overrides: Command-line overrides such as `"metricd.workers=4"`; a later override of the
    ///     same key wins.
    /// - Throws: `ConfigurationError` when the file cannot be read or is not valid YAML, when it
    ///   is not a mapping of known sections to mappings, or when an override is malformed or names
    ///   an unknown section.
    public static func load(
        path: String?, environment: [String: String], overrides: [String]
    ) throws(ConfigurationError) -> ConfigurationFile {
        var sections: [String: ConfigurationSectionData] = [:]
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError(file: path, reason: "cannot read configuration file: \(error)")
            }
            sections = try YAMLConfigurationReader.read(text, file: path)
        }
        return try assemble(path: path, sections: sections, environment: environment, overrides: overrides)
    }

    /// Parses YAML text directly, for tests and embedded configurations.
    /// - Parameters:
    ///   - yaml: The YAML document.
    ///   - file: The name used in error messages.
    ///   - environment: As for ``load(path:environment:overrides:)``.
    ///   - overrides: As for ``load(path:environment:overrides:)``.
    public static func parse(
        yaml: String, file: String, environment: [String: String] = [:], overrides: [String] = []
    ) throws(ConfigurationError) -> ConfigurationFile {
        let sections = try YAMLConfigurationReader.read(yaml, file: file)
        return try assemble(path: file, sections: sections, environment: environment, overrides: overrides)
    }

    private static func assemble(
        path: String?, sections: [String: ConfigurationSectionData],
        environment: [String: String], overrides: [String]
    ) throws(ConfigurationError) -> ConfigurationFile {
        var sections = sections
        for (variable, value) in environment {
            guard let (section, key) = environmentKey(variable) else { continue }
            sections[section, default: ConfigurationSectionData()].environment[key] = ConfigurationEntry(
                value: .scalar(value), origin: .environment(variable: variable))
        }
        for override in overrides {
            let (section, key, value) = try parseOverride(override)
            sections[section, default: ConfigurationSectionData()].overrides[key] = ConfigurationEntry(
                value: .scalar(value), origin: .override(override))
        }
        return ConfigurationFile(path: path, sections: sections)
    }

    private init(path: String?, sections: [String: ConfigurationSectionData]) {
        self.path = path
        self.sections = sections
    }

    /// The values of one section; empty when the section is absent everywhere.
    /// - Parameter name: A section name, normally one of ``knownSections``.
    public func section(_ name: String) -> ConfigurationSection {
        ConfigurationSection(name: name, file: path, data: sections[name] ?? ConfigurationSectionData())
    }

    // MARK: - Environment and overrides

    /// The section and key an environment variable sets, if it is `STRATUS_<SECTION>_<KEY>` with a
    /// known section. The longest matching section name wins.
    static func environmentKey(_ variable: String) -> (section: String, key: String)? {
        guard variable.hasPrefix(environmentPrefix) else { return nil }
        let rest = variable.dropFirst(environmentPrefix.count)
        var best: (section: String, key: String)?
        for section in knownSections {
            let prefix = section.uppercased() + "_"
            guard rest.hasPrefix(prefix), rest.count > prefix.count else { continue }
            if best == nil || section.count > best!.section.count {
                best = (section, rest.dropFirst(prefix.count).lowercased())
            }
        }
        return best
    }

    /// Splits `section.key=value`.
    static func parseOverride(_ text: String) throws(ConfigurationError) -> (String, String, String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ConfigurationError(reason: "invalid override '\(text)': expected section.key=value")
        }
        let path = text[..<equals].trimmingSpaces()
        let value = String(text[text.index(after: equals)...])
        guard let dot = path.firstIndex(of: "."), dot != path.startIndex, path.index(after: dot) != path.endIndex else {
            throw ConfigurationError(reason: "invalid override '\(text)': expected section.key=value")
        }
        let section = String(path[..<dot])
        let key = String(path[path.index(after: dot)...])
        guard knownSections.contains(section) else {
            throw ConfigurationError(
                reason: "invalid override '\(text)': unknown section '\(section)'; valid sections: "
                    + knownSections.sorted().joined(separator: ", "))
        }
        return (section, key, value)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
