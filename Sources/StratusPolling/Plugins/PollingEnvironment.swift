import Logging
import StratusCore
import Synchronization

/// What pollster and discoverer factories receive when the agent builds them: the
/// configuration, a logger, and a store of objects shared by several plug-ins (one libvirt
/// inspector for every compute pollster, one HTTP client for every endpoint pollster).
public final class PollingEnvironment: Sendable {
    /// The whole configuration (`stratus.yaml`): plug-ins read their own section
    /// (`configuration.section("compute")`).
    public let configuration: ConfigurationFile
    /// The agent's logger.
    public let logger: Logger
    /// The polling namespaces the agent runs (`compute`, `central`, `ipmi`).
    public let namespaces: Set<String>
    /// The host name the agent reports (Ceilometer's `host` option, default the node name).
    public let hostName: String
    private let shared = Mutex<[String: any Sendable]>([:])

    /// Creates an environment.
    public init(
        configuration: ConfigurationFile, logger: Logger, namespaces: Set<String> = ["compute", "central"],
        hostName: String = SystemHost.name
    ) {
        self.configuration = configuration
        self.logger = logger
        self.namespaces = namespaces
        self.hostName = hostName
    }

    /// The object shared under `key`, created by `make` the first time and then reused by every
    /// factory that asks for the same key with the same type. (Two callers racing for a new key
    /// may both run `make`; only the first object stored is returned to either.)
    /// - Throws: What `make` throws (nothing is stored then), or ``SharedObjectTypeError`` when
    ///   the key already holds another type.
    public func shared<T: Sendable>(_ key: String, make: () throws -> T) throws -> T {
        if let existing = try lookup(key, as: T.self) { return existing }
        // `make` runs outside the lock, so that it may itself ask for other shared objects.
        let made = try make()
        return try shared.withLock { (store: inout [String: any Sendable]) throws -> T in
            if let existing = store[key] {
                guard let typed = existing as? T else {
                    throw SharedObjectTypeError(key: key, expected: String(describing: T.self))
                }
                return typed
            }
            store[key] = made
            return made
        }
    }

    private func lookup<T: Sendable>(_ key: String, as type: T.Type) throws -> T? {
        try shared.withLock { (store: inout [String: any Sendable]) throws -> T? in
            guard let existing = store[key] else { return nil }
            guard let typed = existing as? T else {
                throw SharedObjectTypeError(key: key, expected: String(describing: T.self))
            }
            return typed
        }
    }
}

/// A shared-object key asked for with two different types.
public struct SharedObjectTypeError: Error, Sendable, CustomStringConvertible {
    /// The key.
    public var key: String
    /// The type asked for.
    public var expected: String
    public var description: String { "shared polling object '\(key)' is not a \(expected)" }
}
