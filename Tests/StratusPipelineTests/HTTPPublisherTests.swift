#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import Logging
import NIOCore
import StratusCore
import StratusTesting
import Testing
@testable import StratusPipeline

/// What a test listener received.
actor RequestRecorder {
    struct Received: Sendable {
        var path: String
        var query: String
        var headers: [String: String]
        var body: String
    }

    private(set) var requests: [Received] = []
    private var failuresLeft: Int

    init(failFirst: Int = 0) {
        failuresLeft = failFirst
    }

    /// Records a request; answers 503 while failures are left, then 200.
    func record(_ received: Received) -> HTTPResponse.Status {
        requests.append(received)
        if failuresLeft > 0 {
            failuresLeft -= 1
            return .serviceUnavailable
        }
        return .ok
    }
}

/// Runs a Hummingbird listener on loopback that records every POST.
func withListener<R: Sendable>(_ recorder: RequestRecorder, _ body: @Sendable (Int) async throws -> R) async throws -> R {
    let router = Router()
    router.post("**") { request, context -> Response in
        let bytes = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let status = await recorder.record(.init(
            path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: String(buffer: bytes)))
        return Response(status: status)
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: Logger(label: "test.listener"))
    return try await LoopbackServer.run(app, ports: ports, body)
}

@Suite("HTTP, Prometheus and UDP publishers", .timeLimit(.minutes(1)))
struct HTTPPublisherTests {
    static let samples = [
        Sample.make("cpu", 10, type: .cumulative, unit: "ns", resource: "r1", id: "00000000-0000-0000-0000-000000000001"),
        Sample.make("memory.usage", 2.5, resource: "r1", id: "00000000-0000-0000-0000-000000000002"),
        Sample.make("disk-x.delta", 3, type: .delta, resource: "r/2", user: nil, id: "00000000-0000-0000-0000-000000000003"),
    ]

    @Test func batchPostsOneJSONArrayOfAsDictWithBasicAuthAndWithoutPublisherOptions() async throws {
        let recorder = RequestRecorder()
        try await withListener(recorder) { port in
            let publisher = try HTTPPublisher(
                url: PublisherURL("http://alice:s3cret@127.0.0.1:\(port)/sink/path?timeout=30&max_retries=1&verify_ssl=False&foo=bar"),
                context: Fixture.publisherContext)
            #expect(publisher.targetURL == "http://127.0.0.1:\(port)/sink/path?foo=bar")
            try await publisher.publish(Self.samples)
        }
        let requests = await recorder.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.path == "/sink/path")
        #expect(request.query == "foo=bar")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["authorization"] == "Basic " + Data("alice:s3cret".utf8).base64EncodedString())
        let body = try TelemetryJSON.decode(request.body)
        #expect(body.items.count == 3)
        #expect(body.items.first?["name"] == "cpu")
        #expect(body.items.first?["type"] == "cumulative")
        #expect(body.items.first?["volume"] == 10)
        #expect(body.items.first?["id"] == "00000000-0000-0000-0000-000000000001")
        #expect(body.items.last?["user_id"] == .null)
        #expect(request.body.hasPrefix(#"[{"name": "cpu", "type": "cumulative", "unit": "ns", "volume": 10, "user_id": "u1", "user_name": null, "#))
    }

    @Test func withoutBatchEachSampleIsOnePost() async throws {
        let recorder = RequestRecorder()
        try await withListener(recorder) { port in
            let publisher = try HTTPPublisher(url: PublisherURL("http://127.0.0.1:\(port)/s?batch=False"), context: Fixture.publisherContext)
            try await publisher.publish(Self.samples)
        }
        let requests = await recorder.requests
        #expect(requests.count == 3)
        #expect(requests.map { try? TelemetryJSON.decode($0.body)["name"] } == ["cpu", "memory.usage", "disk-x.delta"])
        #expect(requests.allSatisfy { $0.headers["authorization"] == nil })
    }

    @Test func retriesUnavailableAnswersUpToMaxRetries() async throws {
        let recovering = RequestRecorder(failFirst: 2)
        try await withListener(recovering) { port in
            let publisher = try HTTPPublisher(url: PublisherURL("http://127.0.0.1:\(port)/s?max_retries=2"), context: Fixture.publisherContext)
            try await publisher.publish(Self.samples)
        }
        #expect(await recovering.requests.count == 3)
        let failing = RequestRecorder(failFirst: 10)
        try await withListener(failing) { port in
            let publisher = try HTTPPublisher(url: PublisherURL("http://127.0.0.1:\(port)/s?max_retries=1"), context: Fixture.publisherContext)
            await #expect(throws: PublishError.self) { try await publisher.publish(Self.samples) }
        }
        #expect(await failing.requests.count == 2)
        let nobody = try HTTPPublisher(url: PublisherURL("http://127.0.0.1:\(unusedPort())/s?max_retries=0"), context: Fixture.publisherContext)
        await #expect(throws: PublishError.self) { try await nobody.publish(Self.samples) }
    }

    @Test func badHTTPURLsAreConfigurationErrors() {
        for bad in ["http://", "http:///path", "http://host:port/x", "https://h/x?clientcert=/c.pem", "http://h/?verify_ssl=/ca.pem"] {
            #expect(throws: PublisherConfigurationError.self, "\(bad)") { try HTTPPublisher(url: PublisherURL(bad), context: Fixture.publisherContext) }
        }
    }

    @Test func prometheusTextAndPerResourcePushes() async throws {
        #expect(PrometheusPublisher.text(Self.samples) == """
            # TYPE cpu counter
            cpu{resource_id="r1", user_id="u1", project_id="p1"} 10
            # TYPE memory_usage gauge
            memory_usage{resource_id="r1", user_id="u1", project_id="p1"} 2.5
            disk_x_delta{resource_id="r/2", user_id="None", project_id="p1"} 3

            """)
        let recorder = RequestRecorder()
        try await withListener(recorder) { port in
            let perResource = try PrometheusPublisher(url: PublisherURL("prometheus://127.0.0.1:\(port)/metrics/job/ceilometer"), context: Fixture.publisherContext)
            #expect(!perResource.hasGrouping)
            try await perResource.publish(Self.samples)
            let grouped = try PrometheusPublisher(
                url: PublisherURL("prometheus://127.0.0.1:\(port)/metrics/job/ceilometer/zone/a"), context: Fixture.publisherContext)
            #expect(grouped.hasGrouping)
            try await grouped.publish(Self.samples)
        }
        let requests = await recorder.requests
        #expect(requests.map(\.path) == [
            "/metrics/job/ceilometer/resource_id/r1", "/metrics/job/ceilometer/resource_id/r%2F2", "/metrics/job/ceilometer/zone/a",
        ])
        #expect(requests.first?.headers["content-type"] == "plain/text")
        #expect(requests.first?.body.hasPrefix("# TYPE cpu counter\ncpu{") == true)
        #expect(requests.last?.body == PrometheusPublisher.text(Self.samples))
    }

    @Test func udpSendsOneSignedMsgPackDatagramPerSample() async throws {
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(receiver) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(receiver, $0, &length) } }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let port = UInt16(bigEndian: address.sin_port)

        let secret = "s3cret"
        let context = PublisherContext(logger: Fixture.logger, configuration: PublisherConfiguration(telemetrySecret: secret))
        let publisher = try UDPPublisher(url: PublisherURL("udp://127.0.0.1:\(port)"), context: context)
        var sample = Self.samples[0]
        sample.resourceMetadata = ["flavor": ["id": "1", "ram": 512], "tags": ["a", "b"], "cpu_number": 2]
        sample.monotonicTime = 12.5
        try await publisher.publish([sample, Self.samples[1]])
        var datagrams: [[UInt8]] = []
        for _ in 0..<2 {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(receiver, &buffer, buffer.count, 0)
            try #require(count > 0)
            datagrams.append(Array(buffer[..<count]))
        }
        #expect(try MsgPack.topLevelKeys(datagrams[0]) == MeterMessage.fieldNames.filter { $0 != "publisher_id" })
        guard case .dictionary(let fields) = try MsgPack.decode(datagrams[0]) else {
            Issue.record("not a map")
            return
        }
        let message = MeterMessage(fields: fields)
        #expect(message.verifySignature(secret: secret))
        #expect(!message.verifySignature(secret: "other"))
        #expect(message == MeterMessage(sample: sample, secret: secret))
        #expect(try Sample(meterMessage: message) == sample)
        #expect(datagrams[1] == publisher.datagram(Self.samples[1]))

        #expect(try UDPPublisher(url: PublisherURL("udp://collector"), context: context).port == 4952)
        #expect(try UDPPublisher(url: PublisherURL("udp://[::1]:9000"), context: context).host == "::1")
        for bad in ["udp://", "udp://h:0", "udp://h:port"] {
            #expect(throws: PublisherConfigurationError.self, "\(bad)") { try UDPPublisher(url: PublisherURL(bad), context: context) }
        }
    }

    @Test func shippedPipelineValidatesWithTheBuiltInPublishers() throws {
        let path = GnocchiResourcesDefinitionTests.repositoryRoot.appendingPathComponent("pipeline.yaml").path
        let definition = try PipelineDefinition.load(path: path, publishers: .builtIn, context: Fixture.publisherContext)
        #expect(definition.sinks.allSatisfy { $0.publishers.map(\.scheme) == ["gnocchi"] })
        for scheme in ["gnocchi", "http", "https", "prometheus", "udp", "file", "log", "test"] {
            #expect(PublisherRegistry.builtIn.schemes.contains(scheme))
        }
    }

    @Test func gnocchiPublisherSendsTheConfiguredIdentityAndEndpoint() async throws {
        let file = try ConfigurationFile.parse(yaml: """
            publisher:
              gnocchi_url: http://127.0.0.1:1/prefix/
              gnocchi_user: ceilometer
              gnocchi_user_id: u-42
              gnocchi_project_id: p-7
              gnocchi_roles: admin,service
            """, file: "stratus.yaml")
        let configuration = try PublisherConfiguration(file.section("publisher"))
        #expect(configuration.gnocchiUser == "ceilometer")
        #expect(configuration.gnocchiRoles == "admin,service")
        #expect(throws: ConfigurationError.self) {
            try PublisherConfiguration(ConfigurationFile.parse(yaml: "publisher:\n  gnocchi_url: ftp://x\n", file: "s.yaml").section("publisher"))
        }
        let recorder = RequestRecorder()
        try await withListener(recorder) { port in
            var local = configuration
            local.gnocchiURL = "http://127.0.0.1:\(port)/prefix/"
            let publisher = try GnocchiPublisher(
                url: PublisherURL("gnocchi://"), context: PublisherContext(logger: Fixture.logger, configuration: local), retry: fastRetry)
            try await publisher.publish([ComputeSamples.gauge("memory.usage", 1, at: "2026-11-25T10:00:00")])
            #expect(await publisher.waitUntilDelivered(timeout: .seconds(30)))
            #expect(await publisher.statistics.deliveredSamples == 1)
            await publisher.close()
        }
        let requests = await recorder.requests
        #expect(requests.first?.path == "/prefix/v1/archive_policy")
        #expect(requests.last?.path == "/prefix/v1/batch/resources/metrics/measures")
        #expect(requests.last?.query == "create_metrics=true")
        #expect(requests.allSatisfy {
            $0.headers["authorization"] == "Basic " + Data("ceilometer:".utf8).base64EncodedString() && $0.headers["x-user-id"] == "u-42"
                && $0.headers["x-project-id"] == "p-7" && $0.headers["x-roles"] == "admin,service"
        })
        let body = try TelemetryJSON.decode(try #require(requests.last).body)
        #expect(body[ComputeSamples.instance]?["memory.usage"]?["archive_policy_name"] == "ceilometer-low")
        #expect(body[ComputeSamples.instance]?["memory.usage"]?["unit"] == "MB")
        #expect(body[ComputeSamples.instance]?["memory.usage"]?["measures"]?.items.first?["value"] == 1.0)
    }
}
