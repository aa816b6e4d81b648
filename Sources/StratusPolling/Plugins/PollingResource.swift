import StratusCore

/// A resource a pollster measures: an instance, an endpoint URL, the host, a static resource
/// URI from `polling.yaml`, or anything a discoverer returns.
///
/// Identity is ``kind`` plus ``id``: two values with the same kind and id are the same resource
/// for poll history and blacklists even when their attributes changed between cycles (an
/// instance's state, for example).
public struct PollingResource: Sendable, Hashable, CustomStringConvertible {
    /// What the resource is.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// A virtual machine (``instance`` is set).
        case instance
        /// An HTTP endpoint of a service (``url`` is set).
        case endpoint
        /// The machine the agent runs on (``host`` is set).
        case host
        /// A resource written in `polling.yaml`'s `resources` list.
        case staticURI
        /// Another kind, named by its discoverer (for example `sensor`).
        case other(String)

        public var description: String {
            switch self {
            case .instance: "instance"
            case .endpoint: "endpoint"
            case .host: "host"
            case .staticURI: "static"
            case .other(let name): name
            }
        }
    }

    /// What the resource is.
    public var kind: Kind
    /// The identity within the kind: instance UUID, endpoint URL, host name, URI…
    public var id: String
    /// The instance, when ``kind`` is ``Kind/instance``.
    public var instance: InstanceDescription?
    /// The endpoint URL, for endpoint resources (and static URIs).
    public var url: String?
    /// The host name, for host resources (and the host an instance runs on).
    public var host: String?
    /// Anything else a discoverer wants its pollsters to have (service type, region, sensor path…).
    public var attributes: [String: TelemetryValue]

    /// Creates a resource.
    public init(
        kind: Kind, id: String, instance: InstanceDescription? = nil, url: String? = nil, host: String? = nil,
        attributes: [String: TelemetryValue] = [:]
    ) {
        self.kind = kind
        self.id = id
        self.instance = instance
        self.url = url
        self.host = host
        self.attributes = attributes
    }

    /// An instance resource, identified by its UUID.
    public static func instance(_ instance: InstanceDescription, host: String? = nil) -> PollingResource {
        PollingResource(kind: .instance, id: instance.id, instance: instance, host: host ?? instance.host)
    }

    /// An endpoint resource, identified by its URL.
    public static func endpoint(_ url: String, attributes: [String: TelemetryValue] = [:]) -> PollingResource {
        PollingResource(kind: .endpoint, id: url, url: url, attributes: attributes)
    }

    /// The host the agent runs on, identified by its name.
    public static func host(_ name: String, attributes: [String: TelemetryValue] = [:]) -> PollingResource {
        PollingResource(kind: .host, id: name, host: name, attributes: attributes)
    }

    /// A static resource from `polling.yaml`, identified by its text.
    public static func staticURI(_ uri: String) -> PollingResource {
        PollingResource(kind: .staticURI, id: uri, url: uri)
    }

    public static func == (lhs: PollingResource, rhs: PollingResource) -> Bool {
        lhs.kind == rhs.kind && lhs.id == rhs.id
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(id)
    }

    /// `kind:id`, as logs show it.
    public var description: String { "\(kind):\(id)" }
}
