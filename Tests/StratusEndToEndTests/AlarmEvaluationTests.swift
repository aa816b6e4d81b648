import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import StratusTesting
import Synchronization
import Testing

/// Alarms end to end: a real `stratus all-in-one` (API + metricd + evaluator, one-second evaluation
/// interval), alarms created through `/v2/alarms` with `http://` actions at a listener of this test,
/// measures crossing the threshold and back.
@Suite("alarm evaluation", .serialized)
struct AlarmEvaluationTests {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// One POST the listener received.
    struct Received: Sendable {
        var path: String
        var headers: [(name: String, value: String)]
        var body: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
    }

    /// A minimal HTTP/1.1 listener on a loopback port (POSIX sockets on a thread): records requests,
    /// answers 200 and closes the connection.
    final class Listener: @unchecked Sendable {
        let port: Int
        private let socket: Int32
        final class Inbox: Sendable {
            let storage = Mutex<[Received]>([])
        }
        private let received = Inbox()
        private let thread: Thread

        init() throws {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket() failed") }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw Failure(description: "bind/listen failed") }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
            socket = fd
            let box = received
            thread = Thread {
                while true {
                    let client = accept(fd, nil, nil)
                    if client < 0 { return }
                    if let request = Self.read(client) { box.storage.withLock { $0.append(request) } }
                    let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    _ = answer.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    close(client)
                }
            }
            thread.start()
        }

        func stop() {
            shutdown(socket, Int32(SHUT_RDWR))
            close(socket)
        }

        var all: [Received] { received.storage.withLock { $0 } }

        private static func read(_ client: Int32) -> Received? {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var headerEnd: Int?
            var contentLength = 0
            while true {
                let count = recv(client, &buffer, buffer.count, 0)
                if count <= 0 { break }
                bytes += buffer[0..<count]
                if headerEnd == nil, let range = bytes.firstRange(of: Array("\r\n\r\n".utf8)) {
                    headerEnd = range.upperBound
                    let head = String(decoding: bytes[..<range.lowerBound], as: UTF8.self)
                    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                        contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
                if let end = headerEnd, bytes.count >= end + contentLength { break }
            }
            guard let end = headerEnd else { return nil }
            let head = String(decoding: bytes[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
            let path = head.first?.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let headers = head.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            return Received(path: path, headers: headers, body: String(decoding: bytes[end...], as: UTF8.self))
        }
    }

    /// A request as admin; the status and decoded JSON.
    static func request(_ method: String, _ endpoint: String, _ path: String, _ body: Any? = nil) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: endpoint + path)!)
        request.httpMethod = method
        request.setValue("Basic " + Data("admin:".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// Polls `probe` until it returns a value, or fails after `timeout`.
    static func eventually<T>(_ what: String, timeout: Duration = .seconds(40), _ probe: () async throws -> T?) async throws -> T {
        try await Eventually.value(what, timeout: timeout, probe)
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func threshold(_ metric: String, resource: String) -> [String: Any] {
        ["metric": metric, "resource_id": resource, "resource_type": "generic", "aggregation_method": "last",
         "threshold": 5, "comparison_operator": "gt", "granularity": 60, "evaluation_periods": 1]
    }

    @Test(.timeLimit(.minutes(4)))
    func thresholdCombinationAndCompositeAlarmsFireAndRecover() async throws {
        let listener = try Listener()
        defer { listener.stop() }
        let hook = "http://127.0.0.1:\(listener.port)"
        try await TemporaryDirectory.with(prefix: "stratus-e2e-alarms") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd,evaluator", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1", "--set", "evaluator.evaluation_interval=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try #require(try await process.apiEndpoint(), "all-in-one did not start:\n\(process.standardError)")
                let (policyStatus, _) = try await Self.request("POST", endpoint, "/v1/archive_policy", [
                    "name": "e2e-minute", "aggregation_methods": ["last", "mean"],
                    "definition": [["granularity": "60s", "timespan": "1 day"]],
                ])
                try #require(policyStatus == 201)
                let resource = UUID().uuidString.lowercased()
                let (resourceStatus, _) = try await Self.request("POST", endpoint, "/v1/resource/generic", [
                    "id": resource, "metrics": ["cpu": ["archive_policy_name": "e2e-minute"], "mem": ["archive_policy_name": "e2e-minute"]],
                ])
                try #require(resourceStatus == 201)

                func create(_ body: [String: Any]) async throws -> String {
                    let (status, json) = try await Self.request("POST", endpoint, "/v2/alarms", body)
                    try #require(status == 201, "POST /v2/alarms: \(status) \(String(describing: json))")
                    return try #require((json as? [String: Any])?["alarm_id"] as? String)
                }
                let cpu = try await create([
                    "name": "cpu-high", "type": "gnocchi_resources_threshold", "severity": "critical",
                    "gnocchi_resources_threshold_rule": Self.threshold("cpu", resource: resource),
                    "alarm_actions": ["\(hook)/cpu/alarm"], "ok_actions": ["\(hook)/cpu/ok"],
                ])
                let mem = try await create([
                    "name": "mem-high", "type": "gnocchi_resources_threshold",
                    "gnocchi_resources_threshold_rule": Self.threshold("mem", resource: resource),
                ])
                let combination = try await create([
                    "name": "both-high", "type": "combination", "combination_rule": ["operator": "and", "alarm_ids": [cpu, mem]],
                    "alarm_actions": ["\(hook)/both/alarm"], "ok_actions": ["\(hook)/both/ok"],
                ])
                var cpuLeaf = Self.threshold("cpu", resource: resource)
                cpuLeaf["type"] = "gnocchi_resources_threshold"
                var memLeaf = Self.threshold("mem", resource: resource)
                memLeaf["type"] = "gnocchi_resources_threshold"
                let composite = try await create([
                    "name": "composite-high", "type": "composite", "composite_rule": ["and": [cpuLeaf, memLeaf]],
                    "alarm_actions": ["\(hook)/composite/alarm"], "ok_actions": ["\(hook)/composite/ok"],
                ])

                func state(_ id: String) async throws -> String? {
                    let (_, json) = try await Self.request("GET", endpoint, "/v2/alarms/\(id)/state")
                    return json as? String
                }
                func waitFor(_ id: String, _ expected: String) async throws {
                    _ = try await Self.eventually("alarm \(id) in \(expected)") { try await state(id) == expected ? true : nil }
                }
                func measure(_ metric: String, _ value: Double) async throws {
                    let (status, _) = try await Self.request(
                        "POST", endpoint, "/v1/resource/generic/\(resource)/metric/\(metric)/measures",
                        [["timestamp": Self.timestamp(), "value": value]])
                    try #require(status == 202)
                }

                // No data yet: the alarms stay in insufficient data, silently.
                try await Task.sleep(for: .seconds(2))
                #expect(try await state(cpu) == "insufficient data")
                #expect(listener.all.isEmpty)

                try await measure("cpu", 10)
                try await measure("mem", 10)
                for id in [cpu, mem, combination, composite] { try await waitFor(id, "alarm") }
                let fired = try await Self.eventually("the alarm notifications") { () -> [Received]? in
                    let all = listener.all
                    return Set(all.map(\.path)).isSuperset(of: ["/cpu/alarm", "/both/alarm", "/composite/alarm"]) ? all : nil
                }
                let cpuNote = try #require(fired.first { $0.path == "/cpu/alarm" })
                #expect(cpuNote.headers.map(\.name) == [
                    "Host", "User-Agent", "Accept-Encoding", "Accept", "Connection", "x-openstack-request-id", "content-type", "Content-Length",
                ])
                #expect(cpuNote.body == #"{"alarm_name": "cpu-high", "alarm_id": "\#(cpu)", "severity": "critical", "previous": "insufficient data", "current": "alarm", "reason": "Transition to alarm due to 1 samples outside threshold, most recent: 10.0", "reason_data": {"type": "threshold", "disposition": "outside", "count": 1, "most_recent": 10.0}}"#)
                let compositeNote = try #require(fired.first { $0.path == "/composite/alarm" }?.json)
                #expect(compositeNote["reason"] as? String
                    == "Composite rule alarm with composition form: (rule1 and rule2) transition to alarm, due to rules: rule1, rule2 outside their threshold.")
                let bothNote = try #require(fired.first { $0.path == "/both/alarm" }?.json)
                #expect(bothNote["reason"] as? String == "Transition to alarm due to alarms \(cpu),\(mem) in state alarm")

                let (_, historyJSON) = try await Self.request("GET", endpoint, "/v2/alarms/\(cpu)/history")
                let history = try #require(historyJSON as? [[String: Any]])
                let transition = try #require(history.first { $0["type"] as? String == "state transition" })
                let detail = try #require(try JSONSerialization.jsonObject(with: Data((transition["detail"] as? String ?? "").utf8)) as? [String: Any])
                #expect(detail["state"] as? String == "alarm")
                #expect(detail["transition_reason"] as? String == "Transition to alarm due to 1 samples outside threshold, most recent: 10.0")
                #expect(history.contains { $0["type"] as? String == "creation" })

                // Back under the threshold: cpu, the combination (and) and the composite (and) return to ok.
                try await Task.sleep(for: .milliseconds(1100))
                try await measure("cpu", 1)
                for id in [cpu, combination, composite] { try await waitFor(id, "ok") }
                #expect(try await state(mem) == "alarm")
                let recovered = try await Self.eventually("the ok notifications") { () -> [Received]? in
                    let all = listener.all
                    return Set(all.map(\.path)).isSuperset(of: ["/cpu/ok", "/both/ok", "/composite/ok"]) ? all : nil
                }
                let okNote = try #require(recovered.first { $0.path == "/cpu/ok" }?.json)
                #expect(okNote["previous"] as? String == "alarm")
                #expect(okNote["reason"] as? String == "Transition to ok due to 1 samples inside threshold, most recent: 1.0")
                #expect(try #require(recovered.first { $0.path == "/composite/ok" }?.json)["reason"] as? String
                    == "Composite rule alarm with composition form: (rule1 and rule2) transition to ok, due to rules: rule1 inside their threshold.")
                // Each transition was notified once: no repeat_actions.
                #expect(recovered.filter { $0.path == "/cpu/alarm" }.count == 1)
                #expect(process.isRunning)
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aSeparateEvaluatorProcessEvaluatesTheAPIsAlarmsAndStopsOnSIGTERM() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-evaluator") { directory in
            let data = directory.path + "/data"
            // The all-in-one's own evaluator waits a day between rounds: the separate one does the work.
            let arguments = ["all-in-one", "--roles", "api,metricd,evaluator", "--data-dir", data, "--port", "0",
                             "--set", "metricd.metric_processing_delay=1", "--set", "evaluator.evaluation_interval=86400"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try #require(try await process.apiEndpoint(), "all-in-one did not start:\n\(process.standardError)")
                let resource = UUID().uuidString.lowercased()
                let (resourceStatus, _) = try await Self.request("POST", endpoint, "/v1/resource/generic", [
                    "id": resource, "metrics": ["load": ["archive_policy_name": "medium"]],
                ])
                try #require(resourceStatus == 201)
                let (measureStatus, _) = try await Self.request(
                    "POST", endpoint, "/v1/resource/generic/\(resource)/metric/load/measures", [["timestamp": Self.timestamp(), "value": 3.5]])
                try #require(measureStatus == 202)
                var rule = Self.threshold("load", resource: resource)
                rule["aggregation_method"] = "max"
                rule["comparison_operator"] = "lt"
                let (status, json) = try await Self.request("POST", endpoint, "/v2/alarms", [
                    "name": "load-low", "type": "gnocchi_resources_threshold", "gnocchi_resources_threshold_rule": rule,
                    "ok_actions": ["log://"], "alarm_actions": ["log://"],
                ])
                try #require(status == 201, "\(String(describing: json))")
                let id = try #require((json as? [String: Any])?["alarm_id"] as? String)

                let evaluatorArguments = ["evaluator", "--data-dir", data, "--gnocchi-url", endpoint,
                                          "--set", "evaluator.evaluation_interval=1"]
                try await StratusProcess.with(evaluatorArguments) { evaluator in
                    let state = try await Self.eventually("the alarm evaluated by the separate evaluator") { () -> String? in
                        let (_, json) = try await Self.request("GET", endpoint, "/v2/alarms/\(id)")
                        let state = (json as? [String: Any])?["state"] as? String
                        return state == "insufficient data" ? nil : state
                    }
                    #expect(state == "alarm")
                    let (_, shown) = try await Self.request("GET", endpoint, "/v2/alarms/\(id)")
                    #expect((shown as? [String: Any])?["state_reason"] as? String
                        == "Transition to alarm due to 1 samples outside threshold, most recent: 3.5")
                    #expect(evaluator.standardError.contains("Notifying alarm"), "\(evaluator.standardError)")
                    evaluator.terminate()
                    let exit = await evaluator.waitUntilExit(timeout: .seconds(10))
                    #expect(exit == .exited(0), "\(String(describing: exit)):\n\(evaluator.standardError)")
                    #expect(evaluator.standardError.contains("alarm evaluator stopped"))
                }
            }
        }
    }
}
