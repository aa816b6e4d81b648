/// An OpenStack service catalog as Keystone v3 returns it in a token: services by type, each
/// with endpoints per interface and region.
public struct ServiceCatalog: Sendable, Hashable {
    /// One service (`compute`, `image`, `volumev3`…).
    public struct Service: Sendable, Hashable {
        /// The service type, what `endpoint:<type>` and `endpoint_type` name.
        public var type: String
        /// The service name (`nova`), informative.
        public var name: String?
        /// The endpoints.
        public var endpoints: [Endpoint]

        /// Creates a service.
        public init(type: String, name: String? = nil, endpoints: [Endpoint]) {
            self.type = type
            self.name = name
            self.endpoints = endpoints
        }
    }

    /// One endpoint of a service.
    public struct Endpoint: Sendable, Hashable {
        /// `public`, `internal` or `admin`.
        public var interface: String
        /// The region (`RegionOne`), nil when the endpoint has none.
        public var region: String?
        /// The base URL.
        public var url: String

        /// Creates an endpoint.
        public init(interface: String, region: String? = nil, url: String) {
            self.interface = interface
            self.region = region
            self.url = url
        }
    }

    /// The services, in catalog order.
    public var services: [Service]

    /// Creates a catalog.
    public init(services: [Service]) {
        self.services = services
    }

    /// The URLs of the endpoints of `serviceType` on `interface`, in `region` when it is not nil,
    /// each once, in catalog order (keystoneauth's `get_urls`).
    public func urls(serviceType: String, interface: String, region: String?) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for service in services where service.type == serviceType {
            for endpoint in service.endpoints where endpoint.interface == interface {
                if let region, endpoint.region != region { continue }
                if seen.insert(endpoint.url).inserted { result.append(endpoint.url) }
            }
        }
        return result
    }

    /// The catalog in a JSON value: Keystone's `token.catalog` list of
    /// `{type, name, endpoints: [{interface, region | region_id, url}]}`.
    /// - Throws: A reason when the shape is wrong.
    static func from(json catalog: JSONNode) throws(EndpointError) -> ServiceCatalog {
        guard case .array(let items) = catalog else {
            throw EndpointError(.invalidResponse, "the catalog must be a list of services, got \(catalog.kind)")
        }
        var services: [Service] = []
        for item in items {
            guard let type = item["type"]?.stringValue, !type.isEmpty else {
                throw EndpointError(.invalidResponse, "a catalog service has no 'type'")
            }
            var endpoints: [Endpoint] = []
            if case .array(let entries)? = item["endpoints"] {
                for entry in entries {
                    guard let url = entry["url"]?.stringValue, let interface = entry["interface"]?.stringValue else {
                        throw EndpointError(.invalidResponse, "an endpoint of service '\(type)' lacks 'url' or 'interface'")
                    }
                    let region = entry["region_id"]?.stringValue ?? entry["region"]?.stringValue
                    endpoints.append(Endpoint(interface: interface, region: region, url: url))
                }
            }
            services.append(Service(type: type, name: item["name"]?.stringValue, endpoints: endpoints))
        }
        return ServiceCatalog(services: services)
    }
}
