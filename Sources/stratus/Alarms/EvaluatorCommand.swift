import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import StratusAlarms
import StratusCore
import StratusStorage

/// `stratus evaluator`: evaluates the alarms of the index database against a Gnocchi API every
/// `evaluator.evaluation_interval` and sends their actions (Aodh's `aodh-evaluator` + `aodh-notifier`).
struct EvaluatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluator", abstract: "Evaluate alarms against the API and notify their actions.")

    @OptionGroup var options: CommonOptions

    @Option(help: ArgumentHelp(
        "The Gnocchi API to read (default: evaluator.gnocchi_url, else this machine's api.host and api.port).",
        valueName: "url"))
    var gnocchiURL: String?

    func run() async throws {
        Self.useOneMallocArena()
        let logger = options.makeLogger("stratus.evaluator")
        let configuration = try options.loadConfiguration()
        var evaluator = try EvaluatorConfiguration(configuration.section("evaluator"))
        if let gnocchiURL { evaluator.gnocchiURL = gnocchiURL }
        let api = try APIConfiguration(configuration.section("api"))
        Self.adoptLocalAuth(&evaluator, configuration: configuration, api: api)
        let paths = try TimeSeriesCore.Paths(configuration: configuration, dataDirectory: options.absoluteDataDirectory)
        let store = try await AlarmStores.open(indexerURL: paths.index, connections: .evaluator, logger: logger)
        let service = try AlarmEvaluatorService.make(
            configuration: evaluator, store: store, defaultGnocchiURL: Self.localAPI(host: api.host, port: api.port),
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service), .init(service: StartupCodePagesService(logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// glibc gives each thread that allocates its own malloc arena (up to 8 per core); the evaluator's threads
    /// (NIO event loops, the Swift executor, GRDB's queues) each keep freed memory in theirs. One arena keeps ~3 MiB
    /// less resident during a 10,000-alarm round (docs/performance.md) at no measurable cost in round time: the
    /// process does little allocation per thread. Threads that already allocated keep their arena.
    static func useOneMallocArena() {
        #if canImport(Glibc)
        // `mallopt` and `M_ARENA_MAX` (-8) are in <malloc.h>, which the Glibc module does not export.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 1)
        #endif
    }

    /// The evaluator of `stratus all-in-one`, reading the in-process API at `apiHost:apiPort` (unless
    /// `evaluator.gnocchi_url` says otherwise) and the alarms of the same index database.
    static func allInOneService(
        configuration: ConfigurationFile, dataDirectory: String, apiHost: String, apiPort: Int, logger: Logger
    ) async throws -> any Service {
        var evaluator = try EvaluatorConfiguration(configuration.section("evaluator"))
        Self.adoptLocalAuth(&evaluator, configuration: configuration, api: try APIConfiguration(configuration.section("api")))
        let paths = try TimeSeriesCore.Paths(configuration: configuration, dataDirectory: dataDirectory)
        let store = try await AlarmStores.open(indexerURL: paths.index, connections: .evaluator, logger: logger)
        return try AlarmEvaluatorService.make(
            configuration: evaluator, store: store, defaultGnocchiURL: localAPI(host: apiHost, port: apiPort),
            logger: logger, onShutdown: { try? await store.close() })
    }

    /// Reading the local API without `evaluator.auth_mode` set: authenticate as that API expects
    /// (`api.auth_mode`), as the configured admin user or identity.
    static func adoptLocalAuth(_ evaluator: inout EvaluatorConfiguration, configuration: ConfigurationFile, api: APIConfiguration) {
        guard evaluator.gnocchiURL == nil, !configuration.section("evaluator").contains("auth_mode"),
              EvaluatorConfiguration.authModes.contains(api.authMode) else { return }
        evaluator.authMode = api.authMode
    }

    /// The URL of an API listening on `host:port`, reachable from this machine.
    static func localAPI(host: String, port: Int) -> String {
        let reachable = host == "0.0.0.0" || host == "::" || host.isEmpty ? "127.0.0.1" : host
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)"
    }
}
