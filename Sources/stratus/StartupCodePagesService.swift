import Logging
import ServiceLifecycle
import StratusCore

/// Runs ``StartupCodePages/release()`` once start-up is over, then waits for shutdown (a service that
/// returns would end its ServiceGroup).
struct StartupCodePagesService: Service {
    /// How long after start to wait, so that every role has started.
    var delay: Duration = .seconds(3)
    let logger: Logger

    func run() async throws {
        // The wait ends early on shutdown, so it never delays the process's exit.
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
        let advised = StartupCodePages.release()
        logger.debug("Released the start-up code pages", metadata: ["bytes": "\(advised)"])
        try? await gracefulShutdown()
    }
}
