/// A plug-in that finds resources to poll (Ceilometer's discoverer entry point).
public protocol Discoverer: Sendable {
    /// Finds resources.
    /// - Parameters:
    ///   - parameter: The text after `://` (or `:`) of the discovery name in `polling.yaml`
    ///     (`endpoint:image` gives `image`), nil when there is none.
    ///   - context: The cycle's timestamp, cache, logger and configuration.
    /// - Throws: Any error; the agent logs it once per cycle and uses no resources from it.
    func discover(parameter: String?, context: PollContext) async throws -> [PollingResource]
}
