/// The `[storage]` section: where aggregated measures (splits) are kept.
public struct StorageConfiguration: Sendable, Hashable {
    /// The options of `[storage]`.
    public static let keys: Set<String> = ["driver", "file_basepath"]
    /// The storage drivers Stratus has.
    public static let drivers: Set<String> = ["file", "postgresql"]

    /// The storage driver: `file` (default) or `postgresql`.
    public var driver: String
    /// The directory of the `file` driver; nil (the default) means a directory under the data
    /// directory, resolved by the caller. Gnocchi's option name is `file_basepath`.
    public var basePath: String?

    /// Creates a configuration with Stratus's defaults.
    public init(driver: String = "file", basePath: String? = nil) {
        self.driver = driver
        self.basePath = basePath
    }

    /// Reads `[storage]`.
    /// - Throws: `ConfigurationError` for unknown options, an unknown driver or values of the wrong type.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let driver = try section.string("driver", default: "file")
        guard Self.drivers.contains(driver) else {
            throw section.error(
                "driver", "storage.driver must be one of \(Self.drivers.sorted().joined(separator: ", ")), got '\(driver)'")
        }
        self.init(driver: driver, basePath: try section.optionalString("file_basepath"))
    }
}
