import StratusCore
/// The pollsters an agent can load, by namespace and meter name (Ceilometer's
/// `ceilometer.poll.<namespace>` entry points), built from compile-time registrations.
public struct PollsterRegistry: Sendable {
    /// The registrations, in table order (the first of two with one name in one namespace wins).
    public let registrations: [PollsterRegistration]

    /// Creates a registry.
    public init(_ registrations: [PollsterRegistration]) {
        var seen: Set<String> = []
        var kept: [PollsterRegistration] = []
        for registration in registrations {
            let keys = registration.namespaces.map { "\($0)\u{0}\(registration.meterName)" }
            guard !keys.contains(where: seen.contains) else { continue }
            seen.formUnion(keys)
            kept.append(registration)
        }
        self.registrations = kept
    }

    /// The registration of `meterName` in `namespace`, if any.
    public func registration(namespace: String, meterName: String) -> PollsterRegistration? {
        registrations.first { $0.meterName == meterName && $0.namespaces.contains(namespace) }
    }

    /// The registrations loaded by an agent of `namespaces`, each once, optionally only those
    /// whose meter name matches one of `patterns` (fnmatch, as `--pollster-list`).
    public func registrations(namespaces: Set<String>, matching patterns: [String] = []) -> [PollsterRegistration] {
        let compiled = patterns.map(FNMatchPattern.init)
        var seen: Set<String> = []
        return registrations.filter { registration in
            guard !registration.namespaces.isDisjoint(with: namespaces) else { return false }
            guard compiled.isEmpty || compiled.contains(where: { $0.matches(registration.meterName) }) else {
                return false
            }
            return seen.insert(registration.meterName).inserted
        }
    }

    /// Every meter name registered in any of `namespaces`, sorted.
    public func meterNames(namespaces: Set<String> = PollingNamespace.all) -> [String] {
        Set(registrations(namespaces: namespaces).map(\.meterName)).sorted()
    }
}

/// The discoverers an agent can use, by name (Ceilometer's `ceilometer.discover.<namespace>`).
public struct DiscovererRegistry: Sendable {
    /// The registrations, in table order.
    public let registrations: [DiscovererRegistration]

    /// Creates a registry.
    public init(_ registrations: [DiscovererRegistration]) {
        self.registrations = registrations
    }

    /// The registration named `name` loaded by an agent of `namespaces`, if any.
    public func registration(named name: String, namespaces: Set<String> = PollingNamespace.all) -> DiscovererRegistration? {
        registrations.first { $0.name == name && !$0.namespaces.isDisjoint(with: namespaces) }
    }

    /// Every discoverer name, sorted.
    public var names: [String] { Set(registrations.map(\.name)).sorted() }
}
