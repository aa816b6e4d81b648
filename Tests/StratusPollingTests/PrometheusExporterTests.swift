import StratusCore
@testable import StratusPolling
import Synchronization
import Testing

@Suite("Prometheus exporter of polled samples")
struct PrometheusExporterTests {
    final class Clock: Sendable {
        let now = Mutex(1_000.0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    }

    static func message(
        _ meter: String, _ volume: TelemetryValue, resource: String = "6f1b2e3c", unit: String = "B",
        metadata: [String: TelemetryValue] = [:]
    ) -> MeterMessage {
        MeterMessage(
            sample: Sample(
                name: meter, type: .gauge, unit: unit, volume: volume, userID: "u1", projectID: "p1", resourceID: resource,
                timestamp: "2026-11-25T10:00:00", resourceMetadata: metadata),
            secret: "")
    }

    @Test func namesAndLabelsAreCeilometers() {
        let labels = PrometheusSampleExporter.labels(meter: "disk.device.read.bytes", fields: Self.message(
            "disk.device.read.bytes", 10, resource: "6f1b2e3c-vda",
            metadata: ["host": "compute-1", "display_name": "web-1", "name": "vda", "user_metadata": ["server_group": "g1"]]).fields)
        #expect(PrometheusSampleExporter.metricName("disk.device.read.bytes") == "ceilometer_disk_device_read_bytes")
        #expect(labels.map(\.0) == [
            "disk", "publisher", "type", "counter", "project", "user", "unit", "resource", "vm_instance", "resource_name", "server_group",
        ])
        #expect(labels.map(\.1) == [
            "read", "ceilometer", "device", "disk.device.read.bytes", "p1", "u1", "B", "6f1b2e3c-vda", "compute-1", "web-1:vda", "g1",
        ])
        // Two parts: the resource id; one part: the name itself as the type; server_group "none" by default.
        let cpu = PrometheusSampleExporter.labels(meter: "cpu", fields: Self.message("cpu", 1, metadata: ["display_name": "web-1"]).fields)
        #expect(cpu.prefix(3).map(\.1) == ["6f1b2e3c", "ceilometer", "cpu"])
        #expect(cpu.last! == ("server_group", "none"))
        let memory = PrometheusSampleExporter.labels(meter: "memory.usage", fields: Self.message("memory.usage", 1).fields)
        #expect(memory[0] == ("memory", "6f1b2e3c"))
        #expect(memory[2] == ("type", "usage"))
        #expect(!memory.contains { $0.0 == "server_group" }, "no metadata, no metadata labels")
    }

    @Test func theTextHoldsTheLatestValuesAndStaleSeriesGo() {
        let clock = Clock()
        let exporter = PrometheusSampleExporter(staleAfter: 30, clock: { clock.now.withLock { $0 } })
        exporter.collect([Self.message("cpu", 10, resource: "a"), Self.message("cpu", 20, resource: "b\"x")])
        exporter.collect([Self.message("cpu", 11, resource: "a"), Self.message("memory.usage", .double(2.5), unit: "MB")])
        let text = exporter.render()
        #expect(text.contains("# TYPE ceilometer_cpu gauge\n"))
        #expect(text.contains(#"ceilometer_cpu{cpu="a",publisher="ceilometer",type="cpu",counter="cpu",project="p1",user="u1",unit="B",resource="a"} 11.0"#))
        #expect(text.contains(#"resource="b\"x"} 20.0"#))
        #expect(text.contains("ceilometer_memory_usage{memory=\"6f1b2e3c\""))
        #expect(!text.contains(" 10.0"))
        clock.advance(20)
        exporter.collect([Self.message("cpu", 12, resource: "a")])
        clock.advance(20)
        let later = exporter.render()
        #expect(later.contains("resource=\"a\"} 12.0"))
        #expect(!later.contains("resource=\"b"), "b was not polled for 40 s > 30 s")
        #expect(!later.contains("ceilometer_memory_usage"))
    }

    @Test func listenAddressesAreParsed() throws {
        #expect(try PrometheusExporterServer.parse("127.0.0.1:9101") == ("127.0.0.1", 9101))
        #expect(try PrometheusExporterServer.parse("[::1]:9101") == ("::1", 9101))
        #expect(throws: PrometheusExporterServer.AddressError.self) { try PrometheusExporterServer.parse("localhost") }
        #expect(throws: PrometheusExporterServer.AddressError.self) { try PrometheusExporterServer.parse(":9101") }
    }
}
