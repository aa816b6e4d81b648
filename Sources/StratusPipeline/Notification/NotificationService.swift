import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `stratus notification` as a service: the sample listener, the pipeline queue, and the two
/// timers (retention flush, pipeline.yaml reload check).
public struct NotificationService: Service {
    /// How the service is set up.
    public struct Settings: Sendable {
        /// Address and port of the listener (port 0 picks a free one).
        public var host: String
        public var port: Int
        /// Between two flushes of transformers with a retention time.
        public var flushInterval: Duration
        /// Between two checks of pipeline.yaml, nil for none.
        public var reloadInterval: Duration?
        /// Largest request body.
        public var maxRequestBytes: Int
        /// Whether the HTTP listener runs (false: only the pipeline queue and its timers, fed in-process).
        public var listen: Bool

        /// Creates settings.
        public init(
            host: String, port: Int, flushInterval: Duration = .seconds(1), reloadInterval: Duration? = .seconds(20),
            maxRequestBytes: Int = 64 << 20, listen: Bool = true
        ) {
            self.listen = listen
            self.host = host
            self.port = port
            self.flushInterval = flushInterval
            self.reloadInterval = reloadInterval
            self.maxRequestBytes = maxRequestBytes
        }
    }

    private let queue: PipelineQueue
    private let decoder: SampleBatchDecoder
    private let metrics: NotificationMetrics
    private let settings: Settings
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// Creates the service.
    /// - Parameter onListening: Called with the bound port once batches are accepted.
    public init(
        queue: PipelineQueue, decoder: SampleBatchDecoder, metrics: NotificationMetrics, settings: Settings, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.queue = queue
        self.decoder = decoder
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
        NotificationListener.addRoutes(
            to: router, queue: queue, decoder: decoder, metrics: metrics, maxRequestBytes: settings.maxRequestBytes, logger: logger)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "stratus-notification"),
            onServerRunning: { [onListening, settings] channel in
                await onListening(channel.localAddress?.port ?? settings.port)
            },
            logger: logger)
        let queue = self.queue
        let settings = self.settings
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await queue.run() }
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        try await Task.sleep(for: settings.flushInterval)
                        await queue.requestFlush()
                    }
                }
            }
            if let reload = settings.reloadInterval {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        while !Task.isCancelled {
                            try await Task.sleep(for: reload)
                            await queue.requestReload()
                        }
                    }
                }
            }
            if settings.listen {
                // Returns on graceful shutdown once open requests are answered.
                try await application.runService()
            } else {
                try? await gracefulShutdown()
            }
            // The queue finishes what it holds, then stops.
            group.cancelAll()
        }
    }
}
