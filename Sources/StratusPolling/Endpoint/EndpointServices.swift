import StratusCore

/// Where endpoint discovery and dynamic pollsters find service URLs and tokens: a Keystone
/// session, a static catalog file, or nothing; shared by every endpoint plug-in of an agent.
public struct EndpointServices: Sendable {
    /// The source of the service catalog.
    public enum CatalogSource: Sendable {
        /// No `auth_url` and no `catalog_file`: endpoint discovery fails with a clear reason.
        case none
        /// A catalog read from `service_credentials.catalog_file`; requests carry no token.
        case file(ServiceCatalog)
        /// Keystone: the token's catalog, and `X-Auth-Token` on requests to OpenStack endpoints.
        case keystone(KeystoneSession)
    }

    /// The catalog source.
    public let source: CatalogSource
    /// The endpoint interface (`public`, `internal`, `admin`).
    public let interface: String
    /// The region, nil for all.
    public let region: String?
    /// The HTTP client.
    public let http: EndpointHTTPClient

    /// Creates the services.
    public init(source: CatalogSource, interface: String = "public", region: String? = nil, http: EndpointHTTPClient = EndpointHTTPClient()) {
        self.source = source
        self.interface = interface
        self.region = region
        self.http = http
    }

    /// The services `[service_credentials]` describes: Keystone when `auth_url` is set, else the
    /// catalog file when `catalog_file` is set, else none.
    /// - Throws: `ConfigurationError` when the catalog file cannot be read or is invalid.
    public init(credentials: ServiceCredentialsConfiguration, http: EndpointHTTPClient = EndpointHTTPClient()) throws(ConfigurationError) {
        let source: CatalogSource
        if credentials.usesKeystone {
            source = .keystone(KeystoneSession(credentials: credentials, http: http))
        } else if let path = credentials.catalogFile {
            source = .file(try ServiceCatalogFile.load(path: path))
        } else {
            source = .none
        }
        self.init(source: source, interface: credentials.interface, region: credentials.regionName, http: http)
    }

    /// The key under which an agent's ``PollingEnvironment`` shares one instance.
    static let sharedKey = "endpoint.services"

    /// The instance shared by the endpoint plug-ins of `environment`, built from its
    /// `[service_credentials]` section the first time.
    /// - Throws: `ConfigurationError` for a bad section or catalog file.
    static func shared(in environment: PollingEnvironment) throws -> EndpointServices {
        try environment.shared(sharedKey) { () throws(ConfigurationError) -> EndpointServices in
            let section = environment.configuration.section("service_credentials")
            return try EndpointServices(credentials: try ServiceCredentialsConfiguration(section))
        }
    }

    /// The catalog.
    /// - Throws: ``EndpointError`` `catalog` when none is configured; Keystone's failures.
    public func catalog() async throws(EndpointError) -> ServiceCatalog {
        switch source {
        case .none:
            throw EndpointError(
                .catalog,
                "no service catalog: set service_credentials.auth_url (Keystone) or service_credentials.catalog_file")
        case .file(let catalog):
            return catalog
        case .keystone(let session):
            return try await session.catalog()
        }
    }

    /// The URLs of the endpoints of `serviceType` for the configured interface and region.
    public func urls(serviceType: String) async throws(EndpointError) -> [String] {
        try await catalog().urls(serviceType: serviceType, interface: interface, region: region)
    }
}
