#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StratusCore
import Testing
@testable import StratusPolling

@Suite struct IPMISensorTests {
    static let reader = IPMISensorReader(root: EndpointTestSupport.fixture("hwmon"))

    @Test func readsEverySensorOfTheFixtureTree() {
        let readings = Self.reader.readAll()
        let summary = readings.map { "\($0.kind.rawValue) \($0.sensorID) \($0.value) \($0.unit)" }
        #expect(summary == [
            "current acpi_power_meter power1 145.5 W",
            "current psu iout1 2.5 A",
            "current psu pin 230.0 W",
            "fan nct6775 CPU Fan 1250.0 RPM",
            "fan nct6775 fan2 0.0 RPM",
            "temperature coretemp.hwmon0 Core 0 43.5 C",
            "temperature coretemp.hwmon0 Package id 0 45.0 C",
            "temperature coretemp.hwmon1 Package id 1 47.0 C",
            "voltage nct6775 Vcore 1.104 V",
            "voltage nct6775 in1 12.096 V",
        ])
    }

    @Test(arguments: [
        (IPMISensorReading.Kind.temperature, "hardware.ipmi.temperature", 3),
        (.fan, "hardware.ipmi.fan", 2),
        (.voltage, "hardware.ipmi.voltage", 2),
        (.current, "hardware.ipmi.current", 3),
    ])
    func pollsOneSamplePerSensor(kind: IPMISensorReading.Kind, meter: String, count: Int) async throws {
        let pollster = IPMISensorPollster(kind: kind, reader: Self.reader)
        #expect(pollster.meterName == meter)
        #expect(pollster.defaultDiscovery == "local_node")
        let context = try EndpointTestSupport.context(hostName: "node-1")
        let samples = try await pollster.poll(resources: [.host("node-1")], context: context)
        #expect(samples.count == count)
        #expect(Set(samples.map(\.resourceID)).count == count)
        #expect(samples.allSatisfy { $0.name == meter && $0.type == .gauge && $0.resourceID.hasPrefix("node-1-") })
        #expect(samples.allSatisfy { $0.resourceMetadata["node"] == "node-1" && $0.timestamp == context.timestamp })
    }

    @Test func resourceIdsAndUnitsFollowCeilometer() async throws {
        let context = try EndpointTestSupport.context(hostName: "node-1")
        let temperature = try await IPMISensorPollster(kind: .temperature, reader: Self.reader)
            .poll(resources: [.host("node-1")], context: context)
        let package = try #require(temperature.first { $0.resourceID == "node-1-coretemp.hwmon0_package_id_0" })
        #expect(package.volume == .double(45))
        #expect(package.unit == "C")
        #expect(package.resourceMetadata["label"] == "Package id 0")
        let fans = try await IPMISensorPollster(kind: .fan, reader: Self.reader).poll(resources: [.host("node-1")], context: context)
        #expect(fans.map(\.resourceID) == ["node-1-nct6775_cpu_fan", "node-1-nct6775_fan2"])
        #expect(fans.map(\.unit) == ["RPM", "RPM"])
        #expect(try await IPMISensorPollster(kind: .fan, reader: Self.reader).poll(resources: [], context: context).isEmpty)
    }

    @Test func disabledFaultyAndUnreadableSensorsAreLeftOut() {
        let ids = Self.reader.readAll().map(\.sensorID)
        #expect(!ids.contains("nct6775 fan3"))
        #expect(!ids.contains("nct6775 temp7"))
        #expect(!ids.contains("nct6775 temp8"))
        #expect(!ids.contains { $0.contains("crit") })
    }

    @Test func aHostWithoutHwmonHasNoSensors() async throws {
        let reader = IPMISensorReader(root: "/nonexistent/hwmon")
        #expect(reader.readAll().isEmpty)
        let samples = try await IPMISensorPollster(kind: .temperature, reader: reader)
            .poll(resources: [.host("h")], context: try EndpointTestSupport.context())
        #expect(samples.isEmpty)
    }

    @Test func registersFourPollstersAndLocalNodeInTheIPMINamespace() async throws {
        let registrations = IPMIPollsters.registrations(reader: Self.reader)
        #expect(registrations.pollsters.map(\.meterName).sorted() == [
            "hardware.ipmi.current", "hardware.ipmi.fan", "hardware.ipmi.temperature", "hardware.ipmi.voltage",
        ])
        #expect(registrations.pollsters.allSatisfy { $0.namespaces == ["ipmi"] })
        let context = try EndpointTestSupport.context(hostName: "node-9")
        let discoverer = try #require(registrations.discoverers.first { $0.name == "local_node" }).make(context.environment)
        #expect(try await discoverer.discover(parameter: nil, context: context).map(\.id) == ["node-9"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/class/hwmon")))
    func readsTheRealSysClassHwmon() {
        let readings = IPMISensorReader().readAll()
        for reading in readings {
            #expect(reading.value.isFinite)
            #expect(["C", "RPM", "V", "A", "W"].contains(reading.unit))
            if reading.kind == .temperature { #expect(reading.value > -100 && reading.value < 200) }
        }
    }
}
