import StratusCore

/// What a compute discoverer knows about an instance (a libvirt domain with its nova metadata).
public struct InstanceDescription: Sendable, Hashable {
    /// The instance UUID (the resource id of instance meters).
    public var id: String
    /// The libvirt domain name (`instance-0000002a`), Ceilometer's `instance_name`.
    public var domainName: String
    /// The display name (nova metadata `name`, else the domain name).
    public var displayName: String
    /// The compute host.
    public var host: String?
    /// The owner.
    public var userID: String?
    /// The owning project.
    public var projectID: String?
    /// The flavor: name, id, vcpus, ram, disk, ephemeral, swap…
    public var flavor: [String: TelemetryValue]
    /// The image: id and name, when booted from an image.
    public var image: [String: TelemetryValue]?
    /// The nova status (`active`, `paused`, `stopped`…), or nil when unknown.
    public var status: String?
    /// The libvirt domain state number (`virDomainState`), when known.
    public var state: Int?
    /// Server metadata (`metering.*` keys become `user_metadata`).
    public var serverMetadata: [String: String]
    /// Anything else the compute inspector wants to keep with the instance.
    public var extra: [String: TelemetryValue]

    /// Creates an instance description.
    public init(
        id: String, domainName: String, displayName: String? = nil, host: String? = nil,
        userID: String? = nil, projectID: String? = nil, flavor: [String: TelemetryValue] = [:],
        image: [String: TelemetryValue]? = nil, status: String? = nil, state: Int? = nil,
        serverMetadata: [String: String] = [:], extra: [String: TelemetryValue] = [:]
    ) {
        self.id = id
        self.domainName = domainName
        self.displayName = displayName ?? domainName
        self.host = host
        self.userID = userID
        self.projectID = projectID
        self.flavor = flavor
        self.image = image
        self.status = status
        self.state = state
        self.serverMetadata = serverMetadata
        self.extra = extra
    }
}
