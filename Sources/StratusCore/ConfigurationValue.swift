/// A configuration value as written, before it is converted to the type a component asks for.
enum ConfigurationValue: Sendable, Hashable {
    /// A YAML scalar, an environment variable or a command-line override.
    case scalar(String)
    /// A YAML null (`key:`, `key: ~`, `key: null`): the default applies.
    case null
    /// A YAML sequence of scalars.
    case list([String])
    /// A YAML mapping or a sequence holding collections: no getter accepts it.
    case nested(kind: String)
}

/// Where a configuration value comes from, to report errors against it.
enum ConfigurationOrigin: Sendable, Hashable {
    /// The configuration file, at a 1-based line.
    case file(line: Int)
    /// An environment variable `STRATUS_<SECTION>_<KEY>`.
    case environment(variable: String)
    /// A command-line override `section.key=value`.
    case override(String)
}

/// One key's value and where it comes from.
struct ConfigurationEntry: Sendable, Hashable {
    var value: ConfigurationValue
    var origin: ConfigurationOrigin
}

/// Everything set for one section, by origin; a getter takes the override, else the environment
/// variable, else the file.
struct ConfigurationSectionData: Sendable {
    var line: Int?
    var file: [String: ConfigurationEntry] = [:]
    var environment: [String: ConfigurationEntry] = [:]
    var overrides: [String: ConfigurationEntry] = [:]
}
