import StratusCompute
import StratusCore
import StratusPolling

/// Every pollster and discoverer compiled into `stratus`, one line per module. Adding a module
/// of pollsters is one line here (for example `ComputePollsters.registrations,`).
enum PollingCatalog {
    /// The compile-time modules.
    static let modules: [PollingRegistrations] = [
        HostPollsters.registrations,
        IPMIPollsters.registrations,
        ComputePollsters.registrations,
    ]

    /// The modules plus the endpoint discoverer and the dynamic pollsters of `definitions`.
    static func registrations(dynamic definitions: [DynamicPollsterDefinition]) -> PollingRegistrations {
        PollingRegistrations(combining: modules + [EndpointPollsters.registrations(definitions: definitions)])
    }
}
