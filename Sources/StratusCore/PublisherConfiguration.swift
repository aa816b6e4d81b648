/// The `[publisher]` section: how published meter messages are signed.
public struct PublisherConfiguration: Sendable, Hashable {
    /// The options of `[publisher]`.
    public static let keys: Set<String> = ["telemetry_secret"]

    /// The HMAC-SHA256 key of `message_signature` (Ceilometer's default
    /// `"change this for valid signing"`); empty disables signing (signature `""`).
    public var telemetrySecret: String

    /// Creates a configuration with Ceilometer's default.
    public init(telemetrySecret: String = MessageSigner.defaultSecret) {
        self.telemetrySecret = telemetrySecret
    }

    /// Reads `[publisher]`.
    /// - Throws: `ConfigurationError` for unknown options or values of the wrong type.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        self.init(telemetrySecret: try section.string("telemetry_secret", default: MessageSigner.defaultSecret))
    }
}
