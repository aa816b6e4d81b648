import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Carbonara
import StratusCore
import StratusIndex
import StratusStorage
import StratusAlarms

/// What every route needs: the time-series core, the API configuration, and helpers built once.
public struct APIEnvironment: Sendable {
    public let core: TimeSeriesCore
    public let configuration: APIConfiguration
    public let authMode: AuthMode
    public let reader: MeasuresReader
    /// Wakes an in-process metricd when measures arrive (all-in-one); nil otherwise.
    public let wakeup: MetricdWakeup?
    public let metricdStatistics: MetricdStatistics?
    /// Cross-origin settings (`[cors]`).
    public let cors: CORSConfiguration
    /// Request and backlog metrics served on `/metrics`.
    public let metrics: APIMetrics
    public let logger: Logger
    /// The Aodh `/v2` alarm store (in the index database); nil serves no `/v2` routes.
    public let alarmStore: (any AlarmDatabase)?
    /// Active metrics read recently (`[api] metadata_cache_ttl`), for the measures paths.
    let metricCache: ExpiringCache<UUID, Metric>
    /// Archive policies read recently, by name.
    let archivePolicyCache: ExpiringCache<String, ArchivePolicy>

    /// Wires the API over a core; `configuration.authMode` was validated by `APIConfiguration`.
    public init(
        core: TimeSeriesCore, configuration: APIConfiguration, cors: CORSConfiguration = CORSConfiguration(),
        wakeup: MetricdWakeup? = nil, metricdStatistics: MetricdStatistics? = nil,
        alarmStore: (any AlarmDatabase)? = nil, logger: Logger
    ) {
        self.alarmStore = alarmStore
        self.core = core
        self.configuration = configuration
        self.authMode = AuthMode(rawValue: configuration.authMode) ?? .basic
        self.reader = MeasuresReader(storage: core.storage, incoming: core.incoming, logger: logger)
        self.wakeup = wakeup
        self.metricdStatistics = metricdStatistics
        self.cors = cors
        self.metrics = APIMetrics()
        self.logger = logger
        let ttl = Duration.nanoseconds(configuration.metadataCacheTTL)
        self.metricCache = ExpiringCache(timeToLive: ttl)
        self.archivePolicyCache = ExpiringCache(timeToLive: ttl, capacity: 10_000)
    }

    /// The externally visible base URL of a request (scheme://host[:port][/prefix]), honouring `Forwarded` and
    /// `X-Forwarded-*` when `enable_proxy_headers_parsing` is on.
    public func baseURL(of request: Request) -> String {
        var scheme = "http"
        var host = request.head.authority ?? "localhost"
        var prefix = ""
        if configuration.enableProxyHeadersParsing {
            if let forwarded = request.headers[HTTPField.Name("Forwarded")!] {
                for pair in forwarded.split(separator: ",").first?.split(separator: ";") ?? [] {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    switch parts[0].lowercased() {
                    case "proto": scheme = value
                    case "host": host = value
                    default: break
                    }
                }
            }
            if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!] { scheme = proto }
            if let forwardedHost = request.headers[HTTPField.Name("X-Forwarded-Host")!] { host = forwardedHost }
            if let forwardedPrefix = request.headers[HTTPField.Name("X-Forwarded-Prefix")!] {
                prefix = "/" + forwardedPrefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                if prefix == "/" { prefix = "" }
            }
        }
        return "\(scheme)://\(host)\(prefix)"
    }
}
