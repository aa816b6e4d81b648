import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import StratusCore

/// The evaluator's client of a Gnocchi (or Stratus) `/v1` API, over a shared AsyncHTTPClient with
/// keep-alive connections; the requests are exactly those of Aodh's Gnocchi evaluators (C1).
public struct GnocchiClient: StatisticsFetcher {
    /// The API root the `/v1` paths are appended to.
    public let endpoint: URL
    /// How requests authenticate.
    public let auth: GnocchiAuth
    /// The HTTP client (owned by the caller, who shuts it down).
    public let httpClient: HTTPClient
    /// Time allowed per request.
    public let timeout: TimeAmount

    /// Creates a client.
    public init(endpoint: URL, auth: GnocchiAuth, httpClient: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.endpoint = endpoint
        self.auth = auth
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func fetch(_ request: StatisticsRequest) async throws(GnocchiClientError) -> [Datapoint] {
        let answer: TelemetryValue
        switch request {
        case .measures(let resourceID, let metric, let granularity, let aggregation, let start, let stop):
            let path = "resource/generic/\(Self.percentEncoded(resourceID))/metric/\(Self.percentEncoded(metric))/measures"
            answer = try await send(
                "GET", path,
                query: [
                    ("granularity", String(granularity)), ("aggregation", aggregation),
                    ("start", Self.isoformat(start)), ("stop", Self.isoformat(stop)),
                ], body: nil)
        case .aggregates(let operations, let search, let resourceType, let granularity, let start, let stop):
            var body: [(String, TelemetryValue)] = [("operations", operations)]
            if let search {
                body.append(("search", search))
                body.append(("resource_type", .string(resourceType ?? "generic")))
            }
            let text = "{" + body.map { PythonJSON.string($0.0) + ": " + PythonJSON.encode($0.1) }.joined(separator: ", ") + "}"
            answer = try await send(
                "POST", "aggregates",
                query: [
                    ("start", Self.isoformat(start)), ("stop", Self.isoformat(stop)),
                    ("granularity", String(granularity)), ("needed_overlap", "0"),
                ], body: text)
        }
        return try Self.points(answer)
    }

    /// The rows of a measures list, or of `{"measures": {"aggregated": rows}}`.
    static func points(_ answer: TelemetryValue) throws(GnocchiClientError) -> [Datapoint] {
        var rows = answer
        if case .dictionary(let top) = answer {
            guard case .dictionary(let measures)? = top["measures"], let aggregated = measures["aggregated"] else {
                throw GnocchiClientError(status: nil, message: "unexpected answer: no measures.aggregated")
            }
            rows = aggregated
        }
        guard case .list(let items) = rows else {
            throw GnocchiClientError(status: nil, message: "unexpected answer: measures are not a list")
        }
        var points: [Datapoint] = []
        points.reserveCapacity(items.count)
        for item in items {
            guard case .list(let row) = item, row.count == 3, case .string(let timestamp) = row[0],
                  let granularity = row[1].doubleValue else {
                throw GnocchiClientError(status: nil, message: "unexpected answer: a measure is not [timestamp, granularity, value]")
            }
            // A null value (a fill of "null") is no datapoint.
            guard let value = row[2].doubleValue else { continue }
            points.append(Datapoint(timestamp: timestamp, granularity: granularity, value: value))
        }
        return points
    }

    private func send(
        _ method: String, _ path: String, query: [(String, String)], body: String?
    ) async throws(GnocchiClientError) -> TelemetryValue {
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/v1/" + path + "?" + query.map { Self.percentEncoded($0.0) + "=" + Self.percentEncoded($0.1) }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "stratus-evaluator")
        for (name, value) in auth.headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let status: Int
        let data: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            data = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw GnocchiClientError(status: nil, message: "Unable to establish connection to \(url): \(error)")
        }
        let text = String(buffer: data)
        let json = try? TelemetryJSON.decode(text)
        guard status < 400 else {
            throw GnocchiClientError(status: status, message: Self.errorMessage(json, text: text, status: status))
        }
        guard let json else {
            throw GnocchiClientError(status: status, message: "\(method) \(url) answered a body that is not JSON")
        }
        return json
    }

    /// gnocchiclient's message of an error answer: the `description` (a string, or Python's repr of
    /// a dict), Keystone's `error.message`, else the body's text or the status's reason.
    static func errorMessage(_ json: TelemetryValue?, text: String, status: Int) -> String {
        if case .dictionary(let top)? = json {
            if let description = top["description"] {
                if case .string(let message) = description { return message }
                return PythonRepr.repr(description)
            }
            if case .dictionary(let error)? = top["error"], case .string(let message)? = error["message"] {
                return message
            }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? HTTPResponseStatus(statusCode: status).reasonPhrase : trimmed
    }

    /// Python's `datetime.isoformat()` of a UTC time with microseconds and offset.
    static func isoformat(_ date: Date) -> String { AlarmTimestamp.isoformatUTC(date) }

    /// Everything but RFC 3986's unreserved characters percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// Python's `repr()` of JSON values (`{'cause': 'x'}`), as gnocchiclient puts a dict description in
/// its messages.
enum PythonRepr {
    static func repr(_ value: TelemetryValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .double(let number): return PythonJSON.pythonString(number)
        case .string(let text): return string(text)
        case .list(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            return "{" + entries.keys.sorted().map { string($0) + ": " + repr(entries[$0]!) }.joined(separator: ", ") + "}"
        }
    }

    static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case quote: out += "\\" + String(quote)
            default: out.append(character)
            }
        }
        out.append(quote)
        return out
    }
}
