import StratusCore
import StratusPolling
import Testing

@Suite struct HostPollstersTests {
    static let fixture: String = {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures/host"
    }()

    static func poll(_ meter: String, root: String?) async throws -> [Sample] {
        let pollster = try #require(HostPollsters.pollsters.first { $0.meterName == meter })
        let resource = PollingResource.host("node1", attributes: root.map { ["root": .string($0)] } ?? [:])
        let environment = testEnvironment()
        let context = PollContext(
            timestampNanoseconds: 0, cache: PollingCache(), sourceName: "s", logger: environment.logger,
            environment: environment)
        return try await pollster.poll(resources: [resource], context: context)
    }

    @Test(arguments: [
        ("hardware.memory.total", TelemetryValue.int(8_000_000)), ("hardware.memory.used", .int(3_000_000)),
        ("hardware.memory.buffer", .int(200_000)), ("hardware.memory.cached", .int(2_500_000)),
        ("hardware.memory.swap.total", .int(2_097_148)), ("hardware.memory.swap.avail", .int(2_000_000)),
        ("hardware.cpu.load.1min", .double(0.52)), ("hardware.cpu.load.5min", .double(0.58)),
        ("hardware.cpu.load.15min", .double(0.59)),
        ("hardware.cpu.util", .double(15)), ("hardware.system_stats.cpu.idle", .double(85)),
        ("hardware.network.ip.incoming.datagrams", .int(2_774_031)),
        ("hardware.network.ip.outgoing.datagrams", .int(2_768_469)),
        ("hardware.system_stats.io.incoming.blocks", .int(300_000)),
        ("hardware.system_stats.io.outgoing.blocks", .int(400_000)),
    ])
    func hostMetersReadFixtureValues(meter: String, value: TelemetryValue) async throws {
        let samples = try await Self.poll(meter, root: Self.fixture)
        #expect(samples.count == 1)
        #expect(samples.first?.volume == value)
        #expect(samples.first?.resourceID == "node1")
        #expect(samples.first?.resourceMetadata["host"] == "node1")
    }

    @Test func perDeviceMetersUseHostDotDeviceResourceIDs() async throws {
        let received = try await Self.poll("hardware.network.incoming.bytes", root: Self.fixture)
        #expect(received.map(\.resourceID) == ["node1.lo", "node1.eth0"])
        #expect(received.map(\.volume) == [.int(1000), .int(123_456_789)])
        #expect(received[1].resourceMetadata["mac"] == "525400123456")
        #expect(received[1].resourceMetadata["speed"] == .int(125_000_000))
        let errors = try await Self.poll("hardware.network.outgoing.errors", root: Self.fixture)
        #expect(errors.map(\.volume) == [.int(0), .int(7)])
        let reads = try await Self.poll("hardware.disk.read.bytes", root: Self.fixture)
        #expect(reads.map(\.resourceID) == ["node1.sda"])
        #expect(reads.map(\.volume) == [.int(300_000 * 512)])
        let requests = try await Self.poll("hardware.disk.write.requests", root: Self.fixture)
        #expect(requests.map(\.volume) == [.int(2500)])
    }

    @Test func namesTypesAndUnitsAreCeilometers() {
        let expected: [String: (SampleType, String)] = [
            "hardware.cpu.load.1min": (.gauge, "process"), "hardware.cpu.load.5min": (.gauge, "process"),
            "hardware.cpu.load.15min": (.gauge, "process"), "hardware.cpu.util": (.gauge, "%"),
            "hardware.disk.size.total": (.gauge, "KB"), "hardware.disk.size.used": (.gauge, "KB"),
            "hardware.disk.read.bytes": (.gauge, "B"), "hardware.disk.write.bytes": (.gauge, "B"),
            "hardware.disk.read.requests": (.gauge, "requests"), "hardware.disk.write.requests": (.gauge, "requests"),
            "hardware.memory.total": (.gauge, "KB"), "hardware.memory.used": (.gauge, "KB"),
            "hardware.memory.buffer": (.gauge, "KB"), "hardware.memory.cached": (.gauge, "KB"),
            "hardware.memory.swap.total": (.gauge, "KB"), "hardware.memory.swap.avail": (.gauge, "KB"),
            "hardware.network.incoming.bytes": (.cumulative, "B"), "hardware.network.outgoing.bytes": (.cumulative, "B"),
            "hardware.network.outgoing.errors": (.cumulative, "packet"),
            "hardware.network.ip.incoming.datagrams": (.cumulative, "datagrams"),
            "hardware.network.ip.outgoing.datagrams": (.cumulative, "datagrams"),
            "hardware.system_stats.cpu.idle": (.gauge, "%"),
            "hardware.system_stats.io.incoming.blocks": (.cumulative, "blocks"),
            "hardware.system_stats.io.outgoing.blocks": (.cumulative, "blocks"),
        ]
        #expect(Set(HostPollsters.pollsters.map(\.meterName)) == Set(expected.keys))
        for pollster in HostPollsters.pollsters {
            #expect(expected[pollster.meterName]?.0 == pollster.type, "\(pollster.meterName)")
            #expect(expected[pollster.meterName]?.1 == pollster.unit, "\(pollster.meterName)")
            #expect(pollster.defaultDiscovery == "local_node")
        }
    }

    @Test func everyHostMeterReadsTheRealProc() async throws {
        for pollster in HostPollsters.pollsters {
            let samples = try await Self.poll(pollster.meterName, root: nil)
            #expect(!samples.isEmpty || pollster.meterName.hasPrefix("hardware.disk."), "\(pollster.meterName)")
            for sample in samples {
                #expect(sample.volume.doubleValue.map { $0 >= 0 } == true, "\(pollster.meterName)")
            }
        }
        let total = try await Self.poll("hardware.memory.total", root: nil)
        let used = try await Self.poll("hardware.memory.used", root: nil)
        #expect((used.first?.volume.doubleValue ?? .infinity) <= (total.first?.volume.doubleValue ?? 0))
        let util = try await Self.poll("hardware.cpu.util", root: nil)
        #expect((0...100).contains(util.first?.volume.doubleValue ?? -1))
    }

    @Test func missingStatisticsFileIsAnErrorNotACrash() async {
        await #expect(throws: HostStatsReader.ReadError.self) {
            _ = try await Self.poll("hardware.memory.total", root: "/nonexistent-stratus-root")
        }
    }

    @Test func parsersHandleOddInput() {
        #expect(HostStatsReader.parseLoadavg("garbage") == nil)
        #expect(HostStatsReader.parseCPUTimes("intr 1 2") == nil)
        #expect(HostStatsReader.parseMounts("/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n").first?.path == "/mnt/my disk")
        #expect(HostStatsReader.parseNetDev("nonsense\n").isEmpty)
    }
}
