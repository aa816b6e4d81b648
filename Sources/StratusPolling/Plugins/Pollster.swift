import StratusCore

/// A plug-in that measures one meter (Ceilometer's pollster entry point: one per meter name).
///
/// The agent calls ``poll(resources:context:)`` once per cycle for each source whose `meters`
/// select the pollster, with the resources it has not polled yet this cycle. The agent sets every
/// returned sample's timestamp to the poll's timestamp.
public protocol Pollster: Sendable {
    /// The meter name, such as `cpu` or `hardware.memory.used`; the registry key.
    var meterName: String { get }

    /// The discovery used when the source names neither `resources` nor `discovery`
    /// (`local_instances`, `local_node`, `endpoint:image`…); nil for none.
    var defaultDiscovery: String? { get }

    /// Measures the resources.
    /// - Parameters:
    ///   - resources: The resources to measure, none twice, none blacklisted.
    ///   - context: The cycle's timestamp, cache, logger and configuration.
    /// - Returns: The samples; an empty array when nothing could be measured.
    /// - Throws: ``PollsterPermanentError`` to blacklist resources for this source, any other
    ///   error for a failure the agent logs and retries next cycle.
    func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample]
}
