import NIOCore
import StratusCore

/// `prometheus://host[:port]/metrics/job/<job>[/<label>/<value>…]?ssl=…` plus the options of
/// ``HTTPPublisher``: pushes samples to a Prometheus Pushgateway in the text exposition format,
/// as Ceilometer's `PrometheusPublisher` (reference B9).
///
/// Names have `.` and `-` replaced by `_`; `# TYPE name counter` for cumulative meters,
/// `gauge` for gauges, none for deltas (once per name and push); each sample is
/// `name{resource_id="…", user_id="…", project_id="…"} volume`. Without grouping labels after the
/// job in the path, each resource is pushed on its own to `…/resource_id/<rid>` (so pushes do not
/// replace each other's series); with grouping labels, one push per batch.
public struct PrometheusPublisher: Publisher {
    let target: HTTPTarget
    /// Whether the path has grouping labels after `/metrics/job/<job>`.
    public let hasGrouping: Bool

    /// Reads the URL (`ssl=true` selects https).
    /// - Throws: ``PublisherConfigurationError`` without a host or with a bad port.
    public init(url: PublisherURL, context: PublisherContext) throws(PublisherConfigurationError) {
        target = try HTTPTarget(url: url, acceptsSSLOption: true)
        if target.path.hasPrefix("/metrics/job/") {
            hasGrouping = target.path.split(separator: "/").count > 3
        } else {
            hasGrouping = false
        }
    }

    public func publish(_ samples: [Sample]) async throws {
        guard !samples.isEmpty else { return }
        if hasGrouping {
            try await target.post(ByteBuffer(string: Self.text(samples)), url: target.url(), contentType: "plain/text")
            return
        }
        var order: [String] = []
        var byResource: [String: [Sample]] = [:]
        for sample in samples {
            if byResource[sample.resourceID] == nil { order.append(sample.resourceID) }
            byResource[sample.resourceID, default: []].append(sample)
        }
        for resource in order {
            let url = target.url(appendingPath: "/resource_id/" + HTTPSender.percentEncoded(resource))
            try await target.post(ByteBuffer(string: Self.text(byResource[resource]!)), url: url, contentType: "plain/text")
        }
    }

    /// The exposition text of one push.
    public static func text(_ samples: [Sample]) -> String {
        var documented: Set<String> = []
        var out = ""
        for sample in samples {
            let name = sample.name.replacing(".", with: "_").replacing("-", with: "_")
            let type: String? = switch sample.type {
            case .cumulative: "counter"
            case .gauge: "gauge"
            case .delta: nil
            }
            if let type, documented.insert(name).inserted { out += "# TYPE \(name) \(type)\n" }
            out += "\(name){resource_id=\"\(sample.resourceID)\", user_id=\"\(sample.userID ?? "None")\", "
                + "project_id=\"\(sample.projectID ?? "None")\"} \(pythonStr(sample.volume))\n"
        }
        return out
    }

    /// Python's `str()` of a volume.
    static func pythonStr(_ value: TelemetryValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        default: TelemetryJSON.encode(value)
        }
    }
}
