import ArgumentParser
import StratusPolling

/// The agent options shared by `stratus polling` and `stratus polling validate`.
struct PollingAgentOptions: ParsableArguments {
    @Option(
        name: .customLong("polling-namespaces"),
        help: ArgumentHelp("Polling namespaces: compute, central, ipmi (comma-separated or repeated).", valueName: "namespaces"))
    var pollingNamespaces: [String] = []

    @Option(
        name: .customLong("pollster-list"),
        help: ArgumentHelp("Only these pollsters (meter names or fnmatch patterns such as 'cpu*').", valueName: "patterns"))
    var pollsterList: [String] = []

    /// The namespaces, defaulting to Ceilometer's `compute,central`.
    var namespaces: Set<String> {
        let given = split(pollingNamespaces)
        return Set(given.isEmpty ? PollingNamespace.defaults : given)
    }

    /// The pollster patterns.
    var patterns: [String] { split(pollsterList) }

    func validate() throws {
        for namespace in split(pollingNamespaces) where !PollingNamespace.all.contains(namespace) {
            throw ValidationError(
                "--polling-namespaces: unknown namespace '\(namespace)'; valid: " + PollingNamespace.all.sorted().joined(separator: ", "))
        }
    }

    private func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) }.filter { !$0.isEmpty }
    }
}
