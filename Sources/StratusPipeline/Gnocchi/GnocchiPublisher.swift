import Logging
import StratusCore

/// `gnocchi://?archive_policy=&filter_project=service&enable_filter_project=true&resources_definition_file=&timeout=6.05&max_queue_samples=500000`:
/// stores samples in Gnocchi (reference B10) — Stratus's own API or a real Gnocchi — at
/// `[publisher] gnocchi_url`, as `[publisher] gnocchi_user` (plus keystone headers when set).
///
/// On the first batch it creates the archive policies of `gnocchi_resources.yaml` and the
/// resource types it uses that Gnocchi lacks. Each batch is mapped on arrival (meters the file
/// does not name are logged once and dropped; samples of the `filter_project` project are
/// dropped) and queued; a background task posts the queue in order with
/// `POST /v1/batch/resources/metrics/measures?create_metrics=true`, creating the resources
/// Gnocchi reports unknown and posting again, then PATCHes resources whose attributes changed.
/// While Gnocchi answers, a full queue (`max_queue_samples`) makes `publish` wait for room
/// (back-pressure). While Gnocchi is down or answers 5xx the samples stay queued (beyond
/// `max_queue_samples` the oldest are dropped and counted) and the sender retries with
/// exponential backoff. Sinks naming the same URL share one publisher (`PublisherRegistry.sharedSchemes`).
///
/// Stratus has no Keystone to resolve `filter_project` to an id: a sample is dropped when its
/// `project_id` or its `project_name` equals the option (or, for `swift_account` meters, its
/// `resource_id`). `filter_domain` is accepted and ignored.
///
/// Building the publisher does no network I/O (validation builds and discards publishers); a
/// `resources_definition_file` is read and checked then.
public final class GnocchiPublisher: BackgroundPublisher {
    /// The URL's options.
    public struct Options: Sendable, Hashable {
        /// `archive_policy`: the policy of every metric instead of the file's.
        public var archivePolicyOverride: String?
        /// `filter_project` when `enable_filter_project` is true (default `service`), else nil.
        public var filterProject: String?
        /// `resources_definition_file`; nil for the bundled file.
        public var resourcesDefinitionFile: String?
        /// `timeout` of each request, in seconds (6.05).
        public var timeout: Double
        /// `max_queue_samples`: the most samples queued (500,000): a full queue waits while Gnocchi answers, drops its oldest while it is unavailable.
        public var maxQueueSamples: Int
    }

    /// The options.
    public let options: Options
    /// The resource definitions in use.
    public let definition: GnocchiResourcesDefinition
    private let delivery: GnocchiDelivery

    /// Reads the URL; the definitions are the bundled file unless `resources_definition_file`
    /// names another (`gnocchi_resources.yaml` that does not exist means the bundled one, as in
    /// Ceilometer).
    /// - Parameters:
    ///   - url: The publisher URL.
    ///   - context: Logger and `[publisher]` settings.
    ///   - retry: The backoff while Gnocchi is unavailable.
    /// - Throws: ``PublisherConfigurationError`` for a bad option or definitions file.
    public init(url: PublisherURL, context: PublisherContext, retry: GnocchiRetryPolicy = GnocchiRetryPolicy()) throws(PublisherConfigurationError) {
        guard url.location.isEmpty || url.location == "/" else {
            throw PublisherConfigurationError(
                "publisher '\(url.text)': gnocchi:// takes no host; set the endpoint with [publisher] gnocchi_url")
        }
        let known: Set<String> = [
            "archive_policy", "filter_project", "filter_domain", "enable_filter_project", "resources_definition_file", "timeout",
            "max_queue_samples",
        ]
        for option in url.options where !known.contains(option.name) {
            throw PublisherConfigurationError(
                "publisher '\(url.text)': unknown option '\(option.name)'; valid: " + known.sorted().joined(separator: ", "))
        }
        let filterEnabled = PublisherOptions.bool(url.option("enable_filter_project"), default: true)
        var timeout = 6.05
        if let text = url.option("timeout") {
            guard let value = Double(text), value > 0, value.isFinite else {
                throw PublisherConfigurationError("publisher '\(url.text)': timeout must be a positive number of seconds, got '\(text)'")
            }
            timeout = value
        }
        var maxQueue = 500_000
        if let text = url.option("max_queue_samples") {
            guard let value = Int(text), value > 0 else {
                throw PublisherConfigurationError("publisher '\(url.text)': max_queue_samples must be a positive integer, got '\(text)'")
            }
            maxQueue = value
        }
        let policyOverride = url.option("archive_policy").flatMap { $0.isEmpty ? nil : $0 }
        var file = url.option("resources_definition_file").flatMap { $0.isEmpty ? nil : $0 }
        if file == "gnocchi_resources.yaml", !PublisherOptions.fileExists(file!) { file = nil }
        options = Options(
            archivePolicyOverride: policyOverride, filterProject: filterEnabled ? (url.option("filter_project") ?? "service") : nil,
            resourcesDefinitionFile: file, timeout: timeout, maxQueueSamples: maxQueue)
        if let file {
            do {
                definition = try GnocchiResourcesDefinition.load(path: file)
            } catch {
                throw PublisherConfigurationError("publisher '\(url.text)': \(error)")
            }
        } else {
            definition = .bundled
        }
        let settings = GnocchiDelivery.Settings(
            definition: definition, metricMap: definition.metricMap(override: policyOverride), filterProject: options.filterProject,
            maxQueueSamples: maxQueue, chunkSamples: max(1, min(10_000, maxQueue / 4)), attributeCacheSize: 100_000, retry: retry)
        var logger = context.logger
        logger[metadataKey: "publisher"] = "gnocchi"
        delivery = GnocchiDelivery(
            settings: settings, client: GnocchiClient(configuration: context.configuration, timeout: timeout), logger: logger)
    }

    /// Queues the batch for Gnocchi; returns once it is mapped and queued (delivery is in the background).
    public func publish(_ samples: [Sample]) async throws {
        await delivery.enqueue(samples)
    }

    /// The counters so far.
    public var statistics: GnocchiPublisherStatistics {
        get async { await delivery.currentStatistics }
    }

    public func waitUntilDelivered(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !(await delivery.isIdle) {
            guard clock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    public func close() async {
        await delivery.close()
    }
}
