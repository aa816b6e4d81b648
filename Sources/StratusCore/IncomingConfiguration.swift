/// The `[incoming]` section: where new measures wait (in sacks) until metricd processes them.
public struct IncomingConfiguration: Sendable, Hashable {
    /// The options of `[incoming]`.
    public static let keys: Set<String> = ["driver", "file_basepath", "sacks"]
    /// The incoming drivers Stratus has.
    public static let drivers: Set<String> = ["file", "postgresql"]
    /// The number of sacks `stratus upgrade` creates by default (Gnocchi's `--sacks-number`).
    public static let defaultSacks = 128

    /// The incoming driver: `file` (default) or `postgresql`.
    public var driver: String
    /// The directory of the `file` driver; nil (the default) means a directory under the data
    /// directory, resolved by the caller. Gnocchi's option name is `file_basepath`.
    public var basePath: String?
    /// The number of sacks created by `stratus upgrade` (1–65535, default 128); other roles read
    /// the sack count stored by `upgrade`, not this option.
    public var sacks: Int

    /// Creates a configuration with Stratus's defaults.
    public init(driver: String = "file", basePath: String? = nil, sacks: Int = IncomingConfiguration.defaultSacks) {
        self.driver = driver
        self.basePath = basePath
        self.sacks = sacks
    }

    /// Reads `[incoming]`.
    /// - Throws: `ConfigurationError` for unknown options, an unknown driver, a sack count out of
    ///   range or values of the wrong type.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let driver = try section.string("driver", default: "file")
        guard Self.drivers.contains(driver) else {
            throw section.error(
                "driver", "incoming.driver must be one of \(Self.drivers.sorted().joined(separator: ", ")), got '\(driver)'")
        }
        let sacks = try section.int("sacks", default: Self.defaultSacks)
        guard (1...65535).contains(sacks) else {
            throw section.error("sacks", "incoming.sacks must be between 1 and 65535, got \(sacks)")
        }
        self.init(driver: driver, basePath: try section.optionalString("file_basepath"), sacks: sacks)
    }
}
