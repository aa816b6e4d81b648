import StratusCore

/// Ceilometer's `endpoint` discoverer: `endpoint:<service type>` gives one resource per URL of
/// that service in the catalog, for the configured interface and region.
public struct EndpointDiscoverer: Discoverer {
    /// The discovery name used in `polling.yaml` (`endpoint:image`).
    public static let name = "endpoint"

    let services: EndpointServices

    /// Creates the discoverer.
    public init(services: EndpointServices) {
        self.services = services
    }

    /// The endpoints of the service type `parameter`; none without a parameter (as Ceilometer).
    /// - Throws: ``EndpointError`` when no catalog is configured or Keystone fails.
    public func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        guard let serviceType = parameter, !serviceType.isEmpty else { return [] }
        let urls = try await services.urls(serviceType: serviceType)
        if urls.isEmpty {
            context.logger.debug(
                "No endpoint in the service catalog",
                metadata: ["endpoint.service_type": "\(serviceType)", "endpoint.interface": "\(services.interface)"])
        }
        return urls.map { url in
            PollingResource.endpoint(url, attributes: [
                "service_type": .string(serviceType),
                "interface": .string(services.interface),
                "region": TelemetryValue(services.region),
            ])
        }
    }
}
