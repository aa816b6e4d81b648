import AsyncHTTPClient
import NIOCore

/// An HTTP answer: status and body.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A request that got no answer (connection refused, timeout, TLS failure).
struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Sends requests with AsyncHTTPClient for the HTTP-based publishers. Nothing is created until
/// the first request: then one process-wide client (two with `verify_ssl=False`), never shut
/// down, as `HTTPClient.shared`. Unlike `HTTPClient.shared`, a refused connection fails at once
/// instead of being retried until the request's deadline: the publishers back off themselves.
struct HTTPSender: Sendable {
    /// Whether TLS certificates are verified.
    var verifyTLS = true
    /// How long one request may take.
    var timeout: TimeAmount

    private static func makeClient(verifyTLS: Bool) -> HTTPClient {
        var configuration = verifyTLS
            ? HTTPClient.Configuration() : HTTPClient.Configuration(certificateVerification: .none)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    private static let secureClient = makeClient(verifyTLS: true)
    private static let insecureClient = makeClient(verifyTLS: false)

    private var client: HTTPClient { verifyTLS ? Self.secureClient : Self.insecureClient }

    /// Sends one request and reads the answer (up to 16 MiB of body).
    /// - Throws: ``HTTPTransportError`` when there is no answer.
    func send(
        _ method: String, _ url: String, headers: [(String, String)], body: ByteBuffer? = nil
    ) async throws(HTTPTransportError) -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let collected = try await response.body.collect(upTo: 16 << 20)
            return HTTPAnswer(status: Int(response.status.code), body: Array(buffer: collected))
        } catch {
            throw HTTPTransportError(reason: "\(method) \(url): \(error)")
        }
    }

    /// `Authorization: Basic base64(user:password)`.
    static func basicAuthorization(user: String, password: String) -> String {
        "Basic " + base64(Array("\(user):\(password)".utf8))
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (a path segment or a
    /// query value).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
