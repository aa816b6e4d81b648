import AsyncHTTPClient
import NIOCore

/// The HTTP requests of endpoint discovery and dynamic pollsters, over AsyncHTTPClient.
public struct EndpointHTTPClient: Sendable {
    /// A response: status, the headers the caller asked for, and the body.
    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The largest body read (64 MiB); a longer answer is an error, not an out-of-memory.
    static let maximumBodySize = 64 << 20

    private let client: HTTPClient

    /// Creates a client over `client` (by default the process-wide shared one, which needs no
    /// shutdown).
    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// Sends a request.
    /// - Parameters:
    ///   - method: `GET` or `POST`.
    ///   - url: The full URL.
    ///   - headers: Request headers.
    ///   - body: The body, for `POST`.
    ///   - timeout: The whole request's deadline, in seconds.
    /// - Throws: ``EndpointError`` `unreachable` when no answer came in time,
    ///   `invalidResponse` when the body is larger than ``maximumBodySize``.
    func send(
        _ method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Double
    ) async throws(EndpointError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method == "POST" ? .POST : .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = TimeAmount.nanoseconds(Int64((timeout * 1e9).rounded()))
        do {
            let response = try await client.execute(request, timeout: deadline)
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: Self.maximumBodySize)
            } catch is NIOTooManyBytesError {
                throw EndpointError(.invalidResponse, "\(url): the response is larger than \(Self.maximumBodySize) bytes")
            }
            var headers: [(name: String, value: String)] = []
            for header in response.headers { headers.append((header.name, header.value)) }
            return Response(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
        } catch let error as EndpointError {
            throw error
        } catch {
            throw EndpointError(.unreachable, "\(url): \(Self.describe(error))")
        }
    }

    /// A short text for an AsyncHTTPClient or NIO error.
    static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            if clientError == .deadlineExceeded || clientError == .readTimeout || clientError == .connectTimeout {
                return "timed out"
            }
            return "\(clientError)"
        }
        return "\(error)"
    }
}
