import Logging
import StratusCore
@testable import StratusCompute
import StratusPolling

/// Builds compute plug-ins on a libvirt test-driver node and runs cycles the way the agent does:
/// one cache per cycle, discovery first, then every pollster on the discovered resources.
struct ComputeHarness {
    static let nodeFile: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "Fixtures/node.xml"
    }()

    static let nodeURI = "test://" + nodeFile

    let environment: PollingEnvironment
    let pollsters: [String: any Pollster]
    let discoverer: any Discoverer

    init(uri: String = ComputeHarness.nodeURI, extraConfiguration: String = "", hostName: String = "compute-1") throws {
        let yaml = "compute:\n  libvirt_uri: \"\(uri)\"\n" + extraConfiguration
        let configuration = try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml")
        environment = PollingEnvironment(
            configuration: configuration, logger: Logger(label: "test"), namespaces: ["compute"], hostName: hostName)
        let registrations = ComputePollsters.registrations
        var pollsters = [String: any Pollster]()
        for registration in registrations.pollsters { pollsters[registration.meterName] = try registration.make(environment) }
        self.pollsters = pollsters
        discoverer = try registrations.discoverers[0].make(environment)
    }

    func context(cache: PollingCache = PollingCache()) -> PollContext {
        PollContext(
            timestampNanoseconds: 1_764_000_000_123_456_000, cache: cache, sourceName: "test", logger: Logger(label: "test"),
            environment: environment)
    }

    /// One full cycle of the given meters (all by default): samples by meter name.
    func cycle(_ meters: [String]? = nil) async throws -> [String: [Sample]] {
        let context = context()
        let resources = try await discoverer.discover(parameter: nil, context: context)
        var result = [String: [Sample]]()
        for name in meters ?? pollsters.keys.sorted() {
            guard let pollster = pollsters[name] else { continue }
            do {
                result[name] = try await pollster.poll(resources: resources, context: context)
            } catch is PollsterPermanentError {
                result[name] = nil
            }
        }
        return result
    }
}
