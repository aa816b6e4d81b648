/// The `[compute]` section: the libvirt compute pollsters of `stratus polling`
/// (Ceilometer's `libvirt_uri` and `[compute]` options).
public struct ComputeConfiguration: Sendable, Hashable {
    /// The options of `[compute]`.
    public static let keys: Set<String> = [
        "libvirt_uri", "report_stopped_instance_metrics", "reconnect_initial_delay", "reconnect_max_delay",
    ]

    /// The libvirt URI the inspector opens read-only (default `qemu:///system`; `test:///default`
    /// or `test:///ABS/PATH/node.xml` for libvirt's in-process test hypervisor).
    public var libvirtURI: String
    /// Whether shut-off instances get every meter libvirt can answer for them; by default
    /// (false) they get only `power.state`, `vcpus`, `memory`, `disk.device.capacity` and
    /// `disk.device.usage`.
    public var reportStoppedInstanceMetrics: Bool
    /// The wait before the first reconnection attempt after the connection dropped, in
    /// nanoseconds (default 1 s); it doubles after each failure.
    public var reconnectInitialDelay: Int64
    /// The longest wait between two reconnection attempts, in nanoseconds (default 60 s).
    public var reconnectMaxDelay: Int64

    /// Creates a configuration with the defaults.
    public init(
        libvirtURI: String = "qemu:///system", reportStoppedInstanceMetrics: Bool = false,
        reconnectInitialDelay: Int64 = 1_000_000_000, reconnectMaxDelay: Int64 = 60_000_000_000
    ) {
        self.libvirtURI = libvirtURI
        self.reportStoppedInstanceMetrics = reportStoppedInstanceMetrics
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaxDelay = reconnectMaxDelay
    }

    /// Reads `[compute]`.
    /// - Throws: `ConfigurationError` (file, line, reason) for unknown options, an empty or
    ///   scheme-less URI, non-positive delays or a maximum delay below the initial one.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let uri = try section.string("libvirt_uri", default: "qemu:///system").trimmingSpaces()
        guard !uri.isEmpty, let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else {
            throw section.error(
                "libvirt_uri", "compute.libvirt_uri must be a libvirt URI such as qemu:///system, got '\(uri)'")
        }
        let initial = try section.duration("reconnect_initial_delay", default: 1)
        guard initial > 0 else {
            throw section.error("reconnect_initial_delay", "compute.reconnect_initial_delay must be positive")
        }
        let maximum = try section.duration("reconnect_max_delay", default: 60)
        guard maximum >= initial else {
            throw section.error(
                "reconnect_max_delay", "compute.reconnect_max_delay must be at least compute.reconnect_initial_delay")
        }
        self.init(
            libvirtURI: uri,
            reportStoppedInstanceMetrics: try section.bool("report_stopped_instance_metrics", default: false),
            reconnectInitialDelay: initial, reconnectMaxDelay: maximum)
    }
}
