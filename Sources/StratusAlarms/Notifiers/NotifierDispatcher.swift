import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends an alarm's notification to its actions by URL scheme (reference C6): `log://` logs,
/// `test://` records in memory, `http://` / `https://` POST Aodh's JSON body with python-requests'
/// headers. A target that fails is retried `maxRetries` times (connection failures, as requests'
/// `max_retries`), then logged; it never stops the evaluation. Other schemes are logged.
public struct NotifierDispatcher: Sendable {
    /// The client for `http://` and verified `https://`.
    let httpClient: HTTPClient
    /// The client for `https://…?aodh-alarm-ssl-verify=0`.
    let unverifiedClient: HTTPClient
    /// `[evaluator] rest_notifier_max_retries`.
    let maxRetries: Int
    /// Time allowed per POST.
    let timeout: TimeAmount
    /// Where `test://` notifications go.
    let testNotifications: TestNotifications?
    let logger: Logger

    /// The User-Agent Aodh's notifier sends (python-requests).
    public static let userAgent = "python-requests/2.34.2"

    /// Creates a dispatcher; call ``shutdown()`` when done.
    public init(
        maxRetries: Int = 0, timeout: TimeAmount = .seconds(30), testNotifications: TestNotifications? = nil,
        logger: Logger
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var unverified = HTTPClient.Configuration(certificateVerification: .none)
        unverified.timeout = configuration.timeout
        unverified.connectionPool.retryConnectionEstablishment = false
        unverifiedClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: unverified)
        self.maxRetries = max(0, maxRetries)
        self.timeout = timeout
        self.testNotifications = testNotifications
        self.logger = logger
    }

    /// Closes the HTTP clients.
    public func shutdown() async {
        try? await httpClient.shutdown()
        try? await unverifiedClient.shutdown()
    }

    /// Notifies every action, in order.
    public func dispatch(_ notification: AlarmNotification, to actions: [String]) async {
        for action in actions {
            await notify(action, notification)
        }
    }

    /// Notifies one action.
    public func notify(_ action: String, _ notification: AlarmNotification) async {
        var metadata: Logger.Metadata = [
            "alarm.id": "\(notification.alarmID.lowercaseText)", "alarm.action": "\(action)",
        ]
        let scheme = action.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        switch scheme {
        case "log":
            metadata["alarm.name"] = "\(notification.alarmName)"
            metadata["alarm.severity"] = "\(notification.severity)"
            metadata["alarm.previous"] = "\(notification.previous.rawValue)"
            metadata["alarm.current"] = "\(notification.current.rawValue)"
            metadata["alarm.reason"] = "\(notification.reason)"
            logger.info("Notifying alarm", metadata: metadata)
        case "test":
            if let testNotifications {
                testNotifications.record(action, notification)
            } else {
                logger.info("Notifying test action, which nothing records", metadata: metadata)
            }
        case "http", "https":
            await post(action, notification, scheme: scheme, metadata: metadata)
        default:
            logger.error("Action is unknown, cannot notify", metadata: metadata)
        }
    }

    private func post(_ action: String, _ notification: AlarmNotification, scheme: String, metadata: Logger.Metadata) async {
        var metadata = metadata
        guard let url = URL(string: action), let host = url.host, !host.isEmpty else {
            logger.error("Action is not a valid URL, cannot notify", metadata: metadata)
            return
        }
        let verify = scheme != "https" || Self.sslVerify(url)
        let body = notification.body
        var request = HTTPClientRequest(url: action)
        request.method = .POST
        let defaultPort = scheme == "https" ? 443 : 80
        let hostField = host.contains(":") ? "[\(host)]" : host
        request.headers.add(name: "Host", value: url.port.map { $0 == defaultPort ? hostField : "\(hostField):\($0)" } ?? hostField)
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
        request.headers.add(name: "Accept", value: "*/*")
        request.headers.add(name: "Connection", value: "keep-alive")
        let requestID = "req-" + UUID().lowercaseText
        request.headers.add(name: "x-openstack-request-id", value: requestID)
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        metadata["request.id"] = "\(requestID)"
        let client = verify ? httpClient : unverifiedClient
        var attempt = 0
        while true {
            do {
                let response = try await client.execute(request, timeout: timeout)
                _ = try? await response.body.collect(upTo: 1 << 20)
                metadata["http.status"] = "\(response.status.code)"
                logger.info("Notified alarm action", metadata: metadata)
                return
            } catch {
                metadata["error"] = "\(error)"
                guard attempt < maxRetries, !Task.isCancelled else {
                    logger.error("Unable to notify alarm action", metadata: metadata)
                    return
                }
                attempt += 1
                logger.warning("Notifying alarm action failed, retrying", metadata: metadata)
            }
        }
    }

    /// `aodh-alarm-ssl-verify` of the URL's query (the last one wins); true when absent.
    static func sslVerify(_ url: URL) -> Bool {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems else { return true }
        guard let value = query.last(where: { $0.name == "aodh-alarm-ssl-verify" })?.value else { return true }
        return (Int(value) ?? 1) != 0
    }
}
