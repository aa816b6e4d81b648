import StratusCore

/// The endpoint plug-ins for the agent's catalog: the `endpoint` discoverer, and one pollster per
/// dynamic pollster definition with the discoverer of full-URL pollsters.
public enum EndpointPollsters {
    /// The `endpoint` discoverer (namespace `central`); its catalog comes from
    /// `[service_credentials]`, read once per agent.
    public static var registrations: PollingRegistrations {
        PollingRegistrations(discoverers: [
            DiscovererRegistration(EndpointDiscoverer.name, namespaces: [PollingNamespace.central]) { environment in
                EndpointDiscoverer(services: try EndpointServices.shared(in: environment))
            },
        ])
    }

    /// The pollsters of `definitions` (each in its `namespaces`), and the `dynamic_pollster`
    /// discoverer their full-URL ones use, plus ``registrations``.
    /// - Parameter definitions: From ``DynamicPollsterLoader/load(directories:logger:)``.
    public static func registrations(definitions: [DynamicPollsterDefinition]) -> PollingRegistrations {
        let pollsters = definitions.map { definition in
            PollsterRegistration(definition.name, namespaces: definition.namespaces) { environment in
                DynamicPollster(definition: definition, services: try EndpointServices.shared(in: environment))
            }
        }
        let urlDiscoverer = DynamicURLDiscoverer(definitions: definitions)
        return PollingRegistrations(combining: [
            registrations,
            PollingRegistrations(
                pollsters: pollsters,
                discoverers: [DiscovererRegistration(DynamicURLDiscoverer.name, discoverer: urlDiscoverer, namespaces: PollingNamespace.all)]),
        ])
    }
}
