import NIOCore

/// Where an HTTP-based publisher posts, and how: Ceilometer's `HttpPublisher` URL rules
/// (reference B9). `user:password@` becomes HTTP Basic auth; the options `timeout` (seconds,
/// integer, default 5), `max_retries` (default 2), `batch` (default true), `verify_ssl`
/// (default true), `raw_only` (events only; ignored), `clientcert`/`clientkey` (not supported),
/// and for `prometheus://` also `ssl`, are removed from the query; the other query parameters
/// stay in the target URL.
struct HTTPTarget: Sendable {
    /// `http` or `https`.
    var scheme: String
    /// `host[:port]`, without credentials.
    var authority: String
    /// The path (may be empty).
    var path: String
    /// The query parameters that are not publisher options.
    var query: [(name: String, value: String)]
    /// Basic auth credentials from the URL.
    var credentials: (user: String, password: String)?
    /// Request timeout in seconds.
    var timeout: Int
    /// Retries after a request that got no answer or a 5xx.
    var maxRetries: Int
    /// One POST per batch (true) or per sample.
    var batch: Bool
    /// Whether TLS certificates are verified.
    var verifyTLS: Bool

    /// The target URL (with `suffix` appended to the path).
    func url(appendingPath suffix: String = "") -> String {
        var text = "\(scheme)://\(authority)\(path)\(suffix)"
        if !query.isEmpty {
            text += "?" + query.map { Self.formEncoded($0.name) + "=" + Self.formEncoded($0.value) }.joined(separator: "&")
        }
        return text
    }

    /// The headers of every request: the content type, and Basic auth when the URL has credentials.
    func headers(contentType: String) -> [(String, String)] {
        var headers = [("Content-type", contentType)]
        if let credentials {
            headers.append(("Authorization", HTTPSender.basicAuthorization(user: credentials.user, password: credentials.password)))
        }
        return headers
    }

    var sender: HTTPSender { HTTPSender(verifyTLS: verifyTLS, timeout: .seconds(Int64(timeout))) }

    /// Reads a publisher URL.
    /// - Parameters:
    ///   - url: The URL (`http://`, `https://`, or `prometheus://` with `ssl`).
    ///   - acceptsSSLOption: Whether the `ssl` option chooses the scheme (`prometheus://`).
    /// - Throws: ``PublisherConfigurationError`` without a host, with a non-numeric port, or with
    ///   client certificates.
    init(url: PublisherURL, acceptsSSLOption: Bool) throws(PublisherConfigurationError) {
        var location = Substring(url.location)
        var pathStart = location.firstIndex(of: "/") ?? location.endIndex
        var authorityText = location[..<pathStart]
        if let at = authorityText.lastIndex(of: "@") {
            let userinfo = authorityText[..<at]
            let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            credentials = parts.first.map { (String($0), parts.count > 1 ? String(parts[1]) : "") }
            if credentials?.user.isEmpty == true { credentials = nil }
            location = location[location.index(after: at)...]
            pathStart = location.firstIndex(of: "/") ?? location.endIndex
            authorityText = location[..<pathStart]
        } else {
            credentials = nil
        }
        authority = String(authorityText)
        path = String(location[pathStart...])
        var host = Substring(authority)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw PublisherConfigurationError("publisher '\(url.text)': invalid IPv6 address")
            }
            let rest = host[host.index(after: close)...]
            if rest.hasPrefix(":") { port = rest.dropFirst() }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else {
            throw PublisherConfigurationError("The hostname of an endpoint for HttpPublisher is required: '\(url.text)'")
        }
        if let port, UInt16(port) == nil {
            throw PublisherConfigurationError("publisher '\(url.text)': port '\(port)' is not a number from 0 to 65535")
        }
        var remaining: [(name: String, value: String)] = []
        var values: [String: String] = [:]
        let options = Set(["timeout", "max_retries", "batch", "verify_ssl", "clientcert", "clientkey", "raw_only"])
            .union(acceptsSSLOption ? ["ssl"] : [])
        for option in url.options {
            if options.contains(option.name) { values[option.name] = option.value } else { remaining.append(option) }
        }
        query = remaining
        if values["clientcert"] != nil || values["clientkey"] != nil {
            throw PublisherConfigurationError("publisher '\(url.text)': clientcert/clientkey (TLS client certificates) are not supported")
        }
        // As Ceilometer's `_get_param`: a value that does not convert falls back to the default.
        timeout = values["timeout"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 5
        maxRetries = values["max_retries"].flatMap { Int($0) }.map { max(0, $0) } ?? 2
        batch = PublisherOptions.bool(values["batch"], default: true)
        if let text = values["verify_ssl"] {
            guard let flag = PublisherOptions.strictBool(text) else {
                throw PublisherConfigurationError(
                    "publisher '\(url.text)': verify_ssl must be true or false (a CA bundle path is not supported), got '\(text)'")
            }
            verifyTLS = flag
        } else {
            verifyTLS = true
        }
        if url.scheme == "http" || url.scheme == "https" {
            scheme = url.scheme
        } else {
            scheme = acceptsSSLOption && values["ssl"].flatMap(PublisherOptions.strictBool) == true ? "https" : "http"
        }
    }

    /// Python's `quote_plus` (what `urlencode` writes).
    static func formEncoded(_ text: String) -> String {
        HTTPSender.percentEncoded(text).replacing("%20", with: "+")
    }

    /// Posts `body`, retrying up to ``maxRetries`` times when there is no answer or a 5xx.
    /// - Throws: ``PublishError`` after the last attempt, or at once for another status ≥ 400.
    func post(_ body: ByteBuffer, url: String, contentType: String) async throws(PublishError) {
        let sender = self.sender
        let headers = headers(contentType: contentType)
        var lastProblem = ""
        for _ in 0...maxRetries {
            do {
                let answer = try await sender.send("POST", url, headers: headers, body: body)
                if answer.status < 400 { return }
                lastProblem = "HTTP \(answer.status) from \(url): \(answer.text.prefix(200))"
                if answer.status < 500 { break }
            } catch {
                lastProblem = error.reason
            }
        }
        throw PublishError("cannot post samples: \(lastProblem)")
    }
}
