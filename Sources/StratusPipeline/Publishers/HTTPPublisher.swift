import NIOCore
import StratusCore

/// `http://[user:password@]host[:port]/path?timeout=5&max_retries=2&batch=True&verify_ssl=True`
/// (and `https://`): posts samples as JSON, as Ceilometer's `HttpPublisher` (reference B9) —
/// with `batch` one POST per batch whose body is a JSON array of `sample.as_dict()`, else one
/// POST per sample whose body is that object; `Content-type: application/json`; HTTP Basic
/// auth from the URL; the publisher options are removed from the target URL.
///
/// A request that gets no answer or a 5xx is retried up to `max_retries` times; then, or on a
/// 4xx, the batch fails (the pipeline logs it). Nothing is opened before the first batch.
public struct HTTPPublisher: Publisher {
    let target: HTTPTarget

    /// Reads the URL.
    /// - Throws: ``PublisherConfigurationError`` without a host, with a bad port or unsupported options.
    public init(url: PublisherURL, context: PublisherContext) throws(PublisherConfigurationError) {
        target = try HTTPTarget(url: url, acceptsSSLOption: false)
    }

    /// The URL requests go to (credentials and publisher options removed).
    public var targetURL: String { target.url() }

    public func publish(_ samples: [Sample]) async throws {
        guard !samples.isEmpty else { return }
        let url = target.url()
        if target.batch {
            var buffer = ByteBuffer()
            buffer.writeStaticString("[")
            for (index, sample) in samples.enumerated() {
                if index > 0 { buffer.writeStaticString(", ") }
                buffer.writeString(sample.asDictJSON)
            }
            buffer.writeStaticString("]")
            try await target.post(buffer, url: url, contentType: "application/json")
            return
        }
        var failures: [String] = []
        for sample in samples {
            do {
                try await target.post(ByteBuffer(string: sample.asDictJSON), url: url, contentType: "application/json")
            } catch {
                failures.append(error.reason)
            }
        }
        if let first = failures.first {
            throw PublishError("\(failures.count) of \(samples.count) sample(s) not delivered; first: \(first)")
        }
    }
}

extension Sample {
    /// `json.dumps(sample.as_dict())` as Ceilometer writes it: the fields of `Sample.__dict__`
    /// in their order (`name, type, unit, volume, user_id, user_name, project_id, project_name,
    /// resource_id, timestamp, resource_metadata, source, id, monotonic_time`).
    public var asDictJSON: String {
        let fields: [(String, TelemetryValue)] = [
            ("name", .string(name)), ("type", .string(type.rawValue)), ("unit", .string(unit)), ("volume", volume),
            ("user_id", TelemetryValue(userID)), ("user_name", TelemetryValue(userName)), ("project_id", TelemetryValue(projectID)),
            ("project_name", TelemetryValue(projectName)), ("resource_id", .string(resourceID)), ("timestamp", TelemetryValue(timestamp)),
            ("resource_metadata", .dictionary(resourceMetadata)), ("source", .string(source)), ("id", .string(id)),
            ("monotonic_time", monotonicTime.map { .double($0) } ?? .null),
        ]
        return "{" + fields.map { TelemetryJSON.encode(.string($0.0)) + ": " + TelemetryJSON.encode($0.1) }.joined(separator: ", ") + "}"
    }
}
