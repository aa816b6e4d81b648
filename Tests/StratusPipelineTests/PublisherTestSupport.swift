#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import StratusAPI
import StratusCore
import StratusTesting
@testable import StratusPipeline

/// Runs a real Stratus API (SQLite index, file drivers) of `fixture` on `127.0.0.1:port` (0: any).
func withLiveAPI<R: Sendable>(
    _ fixture: TimeSeriesCoreFixture, port: Int = 0, _ body: @Sendable (Int) async throws -> R
) async throws -> R {
    let configuration = try APIConfiguration(fixture.configuration.section("api"))
    let environment = APIEnvironment(core: fixture.core, configuration: configuration, logger: Logger(label: "test.api"))
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = APIServer.makeApplication(
        environment: environment, host: "127.0.0.1", port: port, logger: Logger(label: "test.api"),
        onListening: { continuation.yield($0) })
    return try await LoopbackServer.run(app, ports: ports, body)
}

/// A TCP port nothing listens on (bound then released).
func unusedPort() -> Int {
    (try? FreePort.pick()) ?? 1
}

/// GETs `/v1/<path>` of a live API as admin and decodes the JSON answer.
func getJSON(_ port: Int, _ path: String) async throws -> (status: Int, body: TelemetryValue) {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/\(path)")
    request.headers.add(name: "Authorization", value: HTTPSender.basicAuthorization(user: "admin", password: ""))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 24)
    let text = String(buffer: bytes)
    return (Int(response.status.code), (try? TelemetryJSON.decode(text)) ?? .string(text))
}

extension TelemetryValue {
    /// The value at `key` of a mapping.
    subscript(key: String) -> TelemetryValue? {
        if case .dictionary(let entries) = self { return entries[key] }
        return nil
    }

    /// The items of a list (empty otherwise).
    var items: [TelemetryValue] {
        if case .list(let items) = self { return items }
        return []
    }
}

/// Test samples as the libvirt pollsters emit them.
enum ComputeSamples {
    static let instance = "6e6a2a4c-2f3a-4a57-9d5e-0c6b7e8f9a01"

    static func metadata(displayName: String = "web-1") -> [String: TelemetryValue] {
        [
            "display_name": .string(displayName), "name": "instance-00000001", "instance_id": .string(instance),
            "instance_type": "m1.small", "host": "a1b2c3", "instance_host": "compute-1",
            "flavor": ["id": "2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 0],
            "status": "active", "state": "active", "task_state": nil, "image_ref": "c0ffee00-0000-4000-8000-000000000001",
            "cpu_number": 1,
        ]
    }

    static func cpu(_ volume: Int64, at timestamp: String, displayName: String = "web-1", project: String = "p1") -> Sample {
        Sample(
            name: "cpu", type: .cumulative, unit: "ns", volume: .int(volume), userID: "u1", projectID: project, resourceID: instance,
            timestamp: timestamp, resourceMetadata: metadata(displayName: displayName))
    }

    static func gauge(_ name: String, _ volume: Double, at timestamp: String, resource: String = instance, project: String = "p1") -> Sample {
        Sample(
            name: name, type: .gauge, unit: "MB", volume: .double(volume), userID: "u1", projectID: project, resourceID: resource,
            timestamp: timestamp, resourceMetadata: metadata())
    }

    static func disk(_ volume: Int64, at timestamp: String) -> Sample {
        var metadata = metadata()
        metadata["disk_name"] = "vda"
        return Sample(
            name: "disk.device.read.bytes", type: .cumulative, unit: "B", volume: .int(volume), userID: "u1", projectID: "p1",
            resourceID: "\(instance)-vda", timestamp: timestamp, resourceMetadata: metadata)
    }

    static func nic(_ volume: Int64, at timestamp: String) -> Sample {
        var metadata = metadata()
        metadata["vnic_name"] = "tap0"
        return Sample(
            name: "network.incoming.bytes", type: .cumulative, unit: "B", volume: .int(volume), userID: "u1", projectID: "p1",
            resourceID: "instance-00000001-\(instance)-tap0", timestamp: timestamp, resourceMetadata: metadata)
    }
}

/// A publisher context whose `gnocchi_url` is `127.0.0.1:port`, logging into `logs`.
func gnocchiContext(port: Int, logs: TimeSeriesCoreFixture.LogRecorder) -> PublisherContext {
    PublisherContext(logger: logs.logger, configuration: PublisherConfiguration(gnocchiURL: "http://127.0.0.1:\(port)"))
}

/// Backoff for tests: 10 ms doubling to 100 ms.
let fastRetry = GnocchiRetryPolicy(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(100))
