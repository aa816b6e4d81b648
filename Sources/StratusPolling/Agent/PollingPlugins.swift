import Logging
import StratusCore

/// The pollsters and discoverers an agent loaded for its namespaces (Ceilometer's
/// `AgentManager` extensions), and how polling definitions map onto them.
public struct PollingPlugins: Sendable {
    /// The loaded pollsters, one per meter name.
    public let pollsters: [any Pollster]
    /// The loaded discoverers, by name.
    public let discoverers: [String: any Discoverer]
    /// The discoverer registry, to tell unknown discovery names from ones that failed to load.
    public let discovererRegistry: DiscovererRegistry
    /// The namespaces loaded.
    public let namespaces: Set<String>
    /// Plug-ins whose factory failed, with the error (logged at load).
    public let failures: [(name: String, error: String)]

    /// Loads the plug-ins of `namespaces`.
    /// - Parameters:
    ///   - pollsters: The pollster table.
    ///   - discoverers: The discoverer table.
    ///   - namespaces: `--polling-namespaces`.
    ///   - pollsterList: `--pollster-list` patterns (fnmatch on meter names); empty for all.
    ///   - extraPollsters: Pollsters built at run time (dynamic pollsters).
    ///   - environment: What factories receive.
    public init(
        pollsters: PollsterRegistry, discoverers: DiscovererRegistry, namespaces: Set<String>,
        pollsterList: [String] = [], extraPollsters: [any Pollster] = [], environment: PollingEnvironment
    ) {
        var loaded: [any Pollster] = []
        var failures: [(String, String)] = []
        var names: Set<String> = []
        for registration in pollsters.registrations(namespaces: namespaces, matching: pollsterList) {
            do {
                loaded.append(try registration.make(environment))
                names.insert(registration.meterName)
            } catch {
                failures.append((registration.meterName, "\(error)"))
                environment.logger.error("Failed to load pollster", metadata: [
                    "polling.meter": .string(registration.meterName), "error": .string("\(error)"),
                ])
            }
        }
        let patterns = pollsterList.map(FNMatchPattern.init)
        for pollster in extraPollsters where !names.contains(pollster.meterName) {
            guard patterns.isEmpty || patterns.contains(where: { $0.matches(pollster.meterName) }) else { continue }
            names.insert(pollster.meterName)
            loaded.append(pollster)
        }
        var loadedDiscoverers: [String: any Discoverer] = [:]
        for registration in discoverers.registrations
        where !registration.namespaces.isDisjoint(with: namespaces) && loadedDiscoverers[registration.name] == nil {
            do {
                loadedDiscoverers[registration.name] = try registration.make(environment)
            } catch {
                failures.append(("discovery:\(registration.name)", "\(error)"))
                environment.logger.error("Failed to load discoverer", metadata: [
                    "polling.discovery": .string(registration.name), "error": .string("\(error)"),
                ])
            }
        }
        self.pollsters = loaded
        self.discoverers = loadedDiscoverers
        self.discovererRegistry = discoverers
        self.namespaces = namespaces
        self.failures = failures
    }

    /// Problems of `definitions` the YAML checks cannot see: discovery names no discoverer has.
    public func problems(in definitions: PollingDefinitions) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        for source in definitions.sources {
            for text in source.discovery {
                let name = DiscoveryName(text).name
                if discovererRegistry.registration(named: name, namespaces: PollingNamespace.all) == nil {
                    problems.append(ConfigurationError(
                        file: definitions.file, line: source.line,
                        reason: "source '\(source.name)': unknown discovery '\(text)'; valid: "
                            + discovererRegistry.names.joined(separator: ", ")))
                }
            }
        }
        return problems
    }

    /// The polling tasks of `definitions`: one per distinct interval, each with the sources of
    /// that interval and the pollsters their `meters` select (sources selecting nothing loaded
    /// are left out).
    public func tasks(for definitions: PollingDefinitions, settings: PollingTaskSettings) -> [PollingTask] {
        var byInterval: [Int: [PollingTask.Entry]] = [:]
        for source in definitions.sources {
            let selected = pollsters.filter { source.meters.selects($0.meterName) }
            guard !selected.isEmpty else { continue }
            byInterval[source.interval, default: []].append(PollingTask.Entry(source: source, pollsters: selected))
        }
        return byInterval.keys.sorted().map { interval in
            PollingTask(interval: interval, entries: byInterval[interval]!, discoverers: discoverers, settings: settings)
        }
    }
}
