import Hummingbird
import Prometheus
import StratusStorage
import Synchronization

/// The API's own metrics for Prometheus (`GET /metrics`): request counts and latencies per route, the
/// backlog, and what metricd processed.
public final class APIMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let processedMeasures: Counter
    private let processedMetrics: Counter
    private let backlogMetrics: Gauge
    private let backlogMeasures: Gauge
    private let lastTotals = Mutex(ProcessingReport())

    public init() {
        processedMeasures = registry.makeCounter(name: "stratus_metricd_processed_measures_total", help: "Measures aggregated by metricd in this process.")
        processedMetrics = registry.makeCounter(name: "stratus_metricd_processed_metrics_total", help: "Metric processing rounds done by metricd in this process.")
        backlogMetrics = registry.makeGauge(name: "stratus_backlog_metrics", help: "Metrics with measures waiting in incoming.")
        backlogMeasures = registry.makeGauge(name: "stratus_backlog_measures", help: "Measures waiting in incoming.")
    }

    static let buckets: [Duration] = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                      .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    func record(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "stratus_api_requests_total", labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests answered.").increment()
        registry.makeDurationHistogram(name: "stratus_api_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: Self.buckets, help: "HTTP request latency.").record(duration)
    }

    /// The Prometheus text exposition, with the backlog and metricd counters refreshed.
    func exposition(backlog: Backlog?, statistics: MetricdStatistics?) -> [UInt8] {
        if let backlog {
            backlogMetrics.set(Double(backlog.metrics))
            backlogMeasures.set(Double(backlog.measures))
        }
        if let totals = statistics?.totals {
            let previous = lastTotals.withLock { last in
                defer { last = totals }
                return last
            }
            processedMeasures.increment(by: Int64(max(0, totals.measures - previous.measures)))
            processedMetrics.increment(by: Int64(max(0, totals.metrics - previous.metrics)))
        }
        return registry.emitToBuffer()
    }
}

/// Counts and times every request by its route pattern (not the raw path, to keep label sets small).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.record(method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                       status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}
