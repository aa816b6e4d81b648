/// A pollster failure that will not go away for these resources (unsupported by the hypervisor,
/// for example); the agent stops polling them with this pollster for the source
/// (Ceilometer's `PollsterPermanentError`).
public struct PollsterPermanentError: Error, Sendable, CustomStringConvertible {
    /// The resources to blacklist.
    public var resources: [PollingResource]
    /// Why.
    public var reason: String

    /// Creates the error.
    public init(resources: [PollingResource], reason: String = "permanent pollster failure") {
        self.resources = resources
        self.reason = reason
    }

    public var description: String {
        "\(reason) (resources: \(resources.map(\.description).joined(separator: ", ")))"
    }
}
