/// One line of the compile-time pollster table: a meter name, the namespaces it is polled in
/// and how to build its pollster.
public struct PollsterRegistration: Sendable {
    /// The meter name (`cpu`, `hardware.memory.used`).
    public var meterName: String
    /// The namespaces (`compute`, `central`, `ipmi`) whose agents load it.
    public var namespaces: Set<String>
    /// Builds the pollster; may take shared objects from the environment.
    public var make: @Sendable (PollingEnvironment) throws -> any Pollster

    /// Creates a registration.
    public init(
        _ meterName: String, namespaces: Set<String>,
        make: @escaping @Sendable (PollingEnvironment) throws -> any Pollster
    ) {
        self.meterName = meterName
        self.namespaces = namespaces
        self.make = make
    }

    /// A registration for a pollster that needs nothing from the environment.
    public init(_ pollster: any Pollster, namespaces: Set<String>) {
        self.init(pollster.meterName, namespaces: namespaces) { _ in pollster }
    }
}

/// One line of the compile-time discoverer table.
public struct DiscovererRegistration: Sendable {
    /// The discovery name used in `polling.yaml` and as `defaultDiscovery` (`local_instances`).
    public var name: String
    /// The namespaces whose agents load it.
    public var namespaces: Set<String>
    /// Builds the discoverer.
    public var make: @Sendable (PollingEnvironment) throws -> any Discoverer

    /// Creates a registration.
    public init(
        _ name: String, namespaces: Set<String>,
        make: @escaping @Sendable (PollingEnvironment) throws -> any Discoverer
    ) {
        self.name = name
        self.namespaces = namespaces
        self.make = make
    }

    /// A registration for a discoverer that needs nothing from the environment.
    public init(_ name: String, discoverer: any Discoverer, namespaces: Set<String>) {
        self.init(name, namespaces: namespaces) { _ in discoverer }
    }
}

/// The pollsters and discoverers one module contributes, listed in one line of the catalog
/// (`HostPollsters.registrations`, `ComputePollsters.registrations`).
public struct PollingRegistrations: Sendable {
    /// The pollsters.
    public var pollsters: [PollsterRegistration]
    /// The discoverers.
    public var discoverers: [DiscovererRegistration]

    /// Creates a set of registrations.
    public init(pollsters: [PollsterRegistration] = [], discoverers: [DiscovererRegistration] = []) {
        self.pollsters = pollsters
        self.discoverers = discoverers
    }

    /// All registrations of `parts`, in order.
    public init(combining parts: [PollingRegistrations]) {
        self.init(pollsters: parts.flatMap(\.pollsters), discoverers: parts.flatMap(\.discoverers))
    }
}
