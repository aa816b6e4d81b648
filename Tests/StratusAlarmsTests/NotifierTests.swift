import Foundation
import Hummingbird
import Logging
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct NotifierTests {
    static let alarmID = UUID(uuidString: "1E4F7C5A-0B8E-4C4B-9C9A-7E2F6B1D3A10")!

    static let notification = AlarmNotification(
        alarmName: "cpu high", alarmID: alarmID, severity: "critical", previous: .insufficientData, current: .alarm,
        reason: "Transition to alarm due to 2 samples outside threshold, most recent: 10.0",
        reasonData: .threshold(disposition: "outside", count: 2, mostRecent: 10))

    static let expectedBody = #"{"alarm_name": "cpu high", "alarm_id": "1e4f7c5a-0b8e-4c4b-9c9a-7e2f6b1d3a10", "severity": "critical", "previous": "insufficient data", "current": "alarm", "reason": "Transition to alarm due to 2 samples outside threshold, most recent: 10.0", "reason_data": {"type": "threshold", "disposition": "outside", "count": 2, "most_recent": 10.0}}"#

    @Test func bodyIsJSONDumpsInAodhKeyOrder() {
        #expect(Self.notification.body == Self.expectedBody)
    }

    @Test func nonASCIIIsEscapedAsPythonDoes() {
        var notification = Self.notification
        notification.alarmName = "température \"élevée\" 🔥"
        #expect(notification.body.hasPrefix(#"{"alarm_name": "temp\u00e9rature \"\u00e9lev\u00e9e\" \ud83d\udd25", "#))
    }

    @Test func httpActionPostsTheBodyWithRequestsHeaders() async throws {
        let inbox = AlarmTestSupport.Inbox()
        let logs = AlarmTestSupport.Logs()
        try await AlarmTestSupport.withServer(AlarmTestSupport.recordingRouter(inbox, status: .accepted)) { base in
            let dispatcher = NotifierDispatcher(logger: logs.logger)
            await dispatcher.dispatch(Self.notification, to: [base + "/hook?x=1", base + "/second"])
            await dispatcher.shutdown()
        }
        let received = inbox.all
        try #require(received.count == 2)
        let first = received[0]
        #expect(first.path == "/hook")
        #expect(received[1].path == "/second")
        #expect(first.body == Self.expectedBody)
        #expect(first.authority?.hasPrefix("127.0.0.1:") == true)
        #expect(first.headers.map(\.name) == [
            "User-Agent", "Accept-Encoding", "Accept", "Connection", "x-openstack-request-id", "content-type", "Content-Length",
        ])
        let values = Dictionary(first.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(values["User-Agent"] == "python-requests/2.34.2")
        #expect(values["Accept-Encoding"] == "gzip, deflate")
        #expect(values["Accept"] == "*/*")
        #expect(values["Connection"] == "keep-alive")
        #expect(values["content-type"] == "application/json")
        #expect(values["Content-Length"] == String(Self.expectedBody.utf8.count))
        let requestID = try #require(values["x-openstack-request-id"])
        #expect(requestID.hasPrefix("req-") && UUID(uuidString: String(requestID.dropFirst(4))) != nil)
        #expect(requestID != received[1].headers.first { $0.name == "x-openstack-request-id" }?.value)
        // The status is logged.
        #expect(logs.lines.contains { $0.message == "Notified alarm action" && $0.metadata["http.status"] == "202" })
    }

    @Test func unreachableTargetIsRetriedThenLogged() async throws {
        let logs = AlarmTestSupport.Logs()
        let dispatcher = NotifierDispatcher(maxRetries: 2, logger: logs.logger)
        // Port 9 (discard) on loopback: nothing listens.
        await dispatcher.notify("http://127.0.0.1:9/down", Self.notification)
        await dispatcher.shutdown()
        #expect(logs.lines.filter { $0.message == "Notifying alarm action failed, retrying" }.count == 2)
        #expect(logs.lines.filter { $0.message == "Unable to notify alarm action" && $0.level == .error }.count == 1)
    }

    @Test func noRetriesByDefault() async {
        let logs = AlarmTestSupport.Logs()
        let dispatcher = NotifierDispatcher(logger: logs.logger)
        await dispatcher.notify("http://127.0.0.1:9/down", Self.notification)
        await dispatcher.shutdown()
        #expect(logs.lines.filter { $0.message == "Notifying alarm action failed, retrying" }.isEmpty)
        #expect(logs.lines.contains { $0.message == "Unable to notify alarm action" })
    }

    @Test func logTestAndUnknownSchemes() async {
        let logs = AlarmTestSupport.Logs()
        let recorder = TestNotifications()
        let dispatcher = NotifierDispatcher(testNotifications: recorder, logger: logs.logger)
        await dispatcher.dispatch(Self.notification, to: ["log://", "test://here", "ftp://nowhere/x"])
        await dispatcher.shutdown()
        #expect(recorder.all == [TestNotifications.Delivery(action: "test://here", notification: Self.notification)])
        let logged = logs.lines.first { $0.message == "Notifying alarm" }
        #expect(logged?.metadata["alarm.reason"] == Self.notification.reason)
        #expect(logged?.metadata["alarm.current"] == "alarm")
        #expect(logs.lines.contains { $0.message == "Action is unknown, cannot notify" && $0.metadata["alarm.action"] == "ftp://nowhere/x" })
    }

    @Test func sslVerifyQueryOption() {
        #expect(NotifierDispatcher.sslVerify(URL(string: "https://h/p")!))
        #expect(!NotifierDispatcher.sslVerify(URL(string: "https://h/p?aodh-alarm-ssl-verify=0")!))
        #expect(NotifierDispatcher.sslVerify(URL(string: "https://h/p?aodh-alarm-ssl-verify=0&aodh-alarm-ssl-verify=1")!))
    }
}
