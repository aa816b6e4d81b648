import StratusCore
@testable import StratusCompute
import StratusPolling
import Testing

/// The compute plug-ins against the real libvirt library and its test driver, on the node file
/// `Fixtures/node.xml`: instance-00000001 (running, 2 disks + a cdrom without media, 2 vNICs, one
/// with a filterref), instance-00000002 (paused), instance-00000003 (shut off), plain-vm (no nova
/// metadata, no balloon, no vNIC).
@Suite struct ComputePollsterTests {
    static let running = "6f1b2e3c-0a4d-4b5e-8f60-718293a4b5c6"
    static let paused = "7a2c3d4e-1b5f-4c6a-9d70-8192a3b4c5d7"
    static let shutOff = "8b3d4e5f-2c6a-4d7b-8e81-92a3b4c5d6e8"
    static let plain = "9c4e5f60-3d7b-4e8c-9f92-a3b4c5d6e7f9"
    static let tebibyte: Int64 = 1_099_511_627_776

    static func byResource(_ samples: [Sample]?) -> [String: Sample] {
        Dictionary((samples ?? []).map { ($0.resourceID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func discoveryDescribesNovaAndPlainDomains() async throws {
        let harness = try ComputeHarness()
        let resources = try await harness.discoverer.discover(parameter: nil, context: harness.context())
        let instances = Dictionary(uniqueKeysWithValues: resources.compactMap(\.instance).map { ($0.id, $0) })
        #expect(Set(instances.keys) == [Self.running, Self.paused, Self.shutOff, Self.plain])
        #expect(resources.allSatisfy { $0.kind == .instance && $0.host == "compute-1" })

        let web = try #require(instances[Self.running])
        #expect(web.displayName == "web-1")
        #expect(web.domainName == "instance-00000001")
        #expect(web.userID == "0b8f4e0c2d3a4f5b9c1d2e3f4a5b6c7d")
        #expect(web.projectID == "9a8b7c6d5e4f40312f1e0d9c8b7a6f5e")
        #expect(web.flavor["name"] == "m1.small")
        #expect(web.flavor["id"] == "2")
        #expect(web.flavor["ram"] == 2048)
        #expect(web.flavor["vcpus"] == 2)
        #expect(web.image == ["id": "c0ffee00-1111-4222-8333-444455556666"])
        #expect(web.status == "active")
        #expect(web.state == 1)

        #expect(instances[Self.paused]?.status == "paused")
        #expect(instances[Self.paused]?.image == nil)  // boot from volume
        #expect(instances[Self.shutOff]?.status == "stopped")

        let plain = try #require(instances[Self.plain])
        #expect(plain.displayName == "plain-vm")
        #expect(plain.userID == nil)
        #expect(plain.projectID == nil)
        #expect(plain.flavor["vcpus"] == 1)
        #expect(plain.flavor["ram"] == 1024)
        #expect(plain.flavor["name"] == .null)
    }

    @Test func instanceMetersHaveB4TypesUnitsAndValues() async throws {
        let samples = try await ComputeHarness().cycle()

        let cpu = Self.byResource(samples["cpu"])
        #expect(Set(cpu.keys) == [Self.running, Self.paused, Self.plain])
        let webCPU = try #require(cpu[Self.running])
        #expect(webCPU.type == .cumulative)
        #expect(webCPU.unit == "ns")
        #expect((webCPU.volume.doubleValue ?? 0) > 0)
        #expect(webCPU.resourceMetadata["cpu_number"] == 2)

        let vcpus = Self.byResource(samples["vcpus"])
        #expect(vcpus.mapValues(\.volume) == [Self.running: 2, Self.paused: 1, Self.shutOff: 1, Self.plain: 1])
        #expect(vcpus[Self.running]?.unit == "vcpu")
        #expect(vcpus[Self.running]?.type == .gauge)

        let power = Self.byResource(samples["power.state"])
        #expect(power.mapValues(\.volume) == [Self.running: 1, Self.paused: 3, Self.shutOff: 5, Self.plain: 1])
        #expect(power[Self.running]?.unit == "")

        // Balloon statistics of the test driver: actual = current memory, available = actual,
        // unused = usable = rss = actual / 2, swap 0. plain-vm has no balloon; the shut-off
        // domain reports its configured memory.
        let memory = Self.byResource(samples["memory"])
        #expect(memory.mapValues(\.volume) == [Self.running: 2048.0, Self.paused: 4096.0, Self.shutOff: 512.0])
        #expect(memory[Self.running]?.unit == "MiB")
        #expect(Self.byResource(samples["memory.available"]).mapValues(\.volume) == [Self.running: 2048.0, Self.paused: 4096.0])
        #expect(Self.byResource(samples["memory.usage"]).mapValues(\.volume) == [Self.running: 1024.0, Self.paused: 2048.0])
        #expect(Self.byResource(samples["memory.resident"]).mapValues(\.volume) == [Self.running: 1024.0, Self.paused: 2048.0])
        let swapIn = Self.byResource(samples["memory.swap.in"])
        #expect(swapIn.mapValues(\.volume) == [Self.running: 0.0, Self.paused: 0.0])
        #expect(swapIn[Self.running]?.type == .cumulative)
        #expect(Self.byResource(samples["memory.swap.out"]).count == 2)

        // Perf events are all disabled on the test driver: no perf samples, no error.
        for name in ["perf.cpu.cycles", "perf.instructions", "perf.cache.references", "perf.cache.misses"] {
            #expect(samples[name]?.isEmpty == true, "\(name)")
        }
    }

    @Test func diskMetersUseUUIDDashDeviceAndSkipLatency() async throws {
        let samples = try await ComputeHarness().cycle()
        let expectedIO: Set<String> = ["\(Self.running)-vda", "\(Self.running)-vdb", "\(Self.paused)-vda", "\(Self.plain)-sda"]
        for (name, unit) in [
            ("disk.device.read.requests", "request"), ("disk.device.write.requests", "request"),
            ("disk.device.read.bytes", "B"), ("disk.device.write.bytes", "B"),
        ] {
            let byID = Self.byResource(samples[name])
            #expect(Set(byID.keys) == expectedIO, "\(name)")
            #expect(byID.values.allSatisfy { $0.unit == unit && $0.type == .cumulative && ($0.volume.doubleValue ?? -1) > 0 })
        }
        let vda = try #require(Self.byResource(samples["disk.device.read.bytes"])["\(Self.running)-vda"])
        #expect(vda.resourceMetadata["disk_name"] == "vda")
        #expect(vda.resourceMetadata["instance_id"] == .string(Self.running))

        // BlockStatsFlags is unsupported by the test driver: latency meters are empty, not failing.
        #expect(samples["disk.device.read.latency"]?.isEmpty == true)
        #expect(samples["disk.device.write.latency"]?.isEmpty == true)

        // GetBlockInfo: capacity 1 TiB − 5 MiB, allocation and physical 1 TiB; capacity is
        // max(capacity, physical). The shut-off domain reports capacity and usage only.
        let capacity = Self.byResource(samples["disk.device.capacity"])
        #expect(Set(capacity.keys) == expectedIO.union(["\(Self.shutOff)-vda"]))
        #expect(capacity.values.allSatisfy { $0.volume == .int(Self.tebibyte) && $0.unit == "B" && $0.type == .gauge })
        let usage = Self.byResource(samples["disk.device.usage"])
        #expect(Set(usage.keys) == expectedIO.union(["\(Self.shutOff)-vda"]))
        let allocation = Self.byResource(samples["disk.device.allocation"])
        #expect(Set(allocation.keys) == expectedIO)
        #expect(allocation.values.allSatisfy { $0.volume == .int(Self.tebibyte) })
    }

    @Test func networkMetersUseVNICIdsAndMetadata() async throws {
        let harness = try ComputeHarness()
        let first = try await harness.cycle()
        let plainTap = "instance-00000001-\(Self.running)-tap11223344-55"
        let filtered = "nova-instance-instance-00000001-fa163e445566"
        let pausedTap = "instance-00000002-\(Self.paused)-tap77889900-aa"
        for (name, unit) in [
            ("network.incoming.bytes", "B"), ("network.incoming.packets", "packet"),
            ("network.incoming.packets.drop", "packet"), ("network.incoming.packets.error", "packet"),
            ("network.outgoing.bytes", "B"), ("network.outgoing.packets", "packet"),
            ("network.outgoing.packets.drop", "packet"), ("network.outgoing.packets.error", "packet"),
        ] {
            let byID = Self.byResource(first[name])
            #expect(Set(byID.keys) == [plainTap, filtered, pausedTap], "\(name)")
            #expect(byID.values.allSatisfy { $0.unit == unit && $0.type == .cumulative }, "\(name)")
        }
        let sample = try #require(Self.byResource(first["network.incoming.bytes"])[filtered])
        #expect(sample.resourceMetadata["mac"] == "fa:16:3e:44:55:66")
        #expect(sample.resourceMetadata["fref"] == .string(filtered))
        #expect(sample.resourceMetadata["vnic_name"] == .string(filtered))
        #expect(sample.resourceMetadata["name"] == "tap44556677-88")
        #expect(sample.resourceMetadata["parameters"] == ["ip": "10.0.0.5", "dhcpserver": "10.0.0.1"])
        let plain = try #require(Self.byResource(first["network.incoming.bytes"])[plainTap])
        #expect(plain.resourceMetadata["fref"] == .null)
        #expect(plain.resourceMetadata["vnic_name"] == "tap11223344-55")

        // rx: bytes [0], packets [1], errors [2], drop [3] of virDomainInterfaceStats — the test
        // driver derives them from one clock reading as 10×, 1×, 10⁻⁴×, 5·10⁻⁵× of the bytes/10.
        let rxBytes = plain.volume.doubleValue ?? 0
        let rxPackets = Self.byResource(first["network.incoming.packets"])[plainTap]?.volume.doubleValue ?? 0
        #expect(rxBytes > rxPackets && rxPackets > 0)

        // Deltas: 0 on the first inspection (shared by both delta pollsters of the cycle), then
        // the counter's growth since the previous cycle.
        let firstDelta = Self.byResource(first["network.incoming.bytes.delta"])
        #expect(firstDelta.mapValues(\.volume) == [plainTap: 0, filtered: 0, pausedTap: 0])
        #expect(firstDelta[plainTap]?.type == .delta)
        #expect(Self.byResource(first["network.outgoing.bytes.delta"]).mapValues(\.volume) == [plainTap: 0, filtered: 0, pausedTap: 0])
        let second = try await harness.cycle(["network.incoming.bytes", "network.incoming.bytes.delta"])
        let before = try #require(Self.byResource(first["network.incoming.bytes"])[plainTap]?.volume.doubleValue)
        let after = try #require(Self.byResource(second["network.incoming.bytes"])[plainTap]?.volume.doubleValue)
        let delta = try #require(Self.byResource(second["network.incoming.bytes.delta"])[plainTap]?.volume.doubleValue)
        #expect(after >= before)
        #expect(delta == after - before)
    }

    @Test func rateMetersArePermanentErrors() async throws {
        let harness = try ComputeHarness()
        let context = harness.context()
        let resources = try await harness.discoverer.discover(parameter: nil, context: context)
        for name in ["network.incoming.bytes.rate", "network.outgoing.bytes.rate"] {
            let pollster = try #require(harness.pollsters[name])
            await #expect(throws: PollsterPermanentError.self) { try await pollster.poll(resources: resources, context: context) }
        }
    }

    @Test func flavorMetersAndSampleMetadata() async throws {
        let samples = try await ComputeHarness().cycle()
        let root = Self.byResource(samples["disk.root.size"])
        #expect(root.mapValues(\.volume) == [Self.running: 15, Self.paused: 40, Self.plain: 0])
        #expect(root[Self.running]?.unit == "GiB")
        #expect(Self.byResource(samples["disk.ephemeral.size"]).mapValues(\.volume) == [Self.running: 5, Self.paused: 0, Self.plain: 0])

        let cpu = try #require(Self.byResource(samples["cpu"])[Self.running])
        #expect(cpu.userID == "0b8f4e0c2d3a4f5b9c1d2e3f4a5b6c7d")
        #expect(cpu.projectID == "9a8b7c6d5e4f40312f1e0d9c8b7a6f5e")
        #expect(cpu.timestamp == "2025-11-24T16:00:00.123456")
        let metadata = cpu.resourceMetadata
        #expect(metadata["display_name"] == "web-1")
        #expect(metadata["name"] == "instance-00000001")
        #expect(metadata["instance_id"] == .string(Self.running))
        #expect(metadata["instance_type"] == "m1.small")
        // Ceilometer's hostId: sha224(project_id + host).
        #expect(metadata["host"] == "e174640ff2e172199eec8203122424a66b3a71a96c636e03a2d35958")
        #expect(metadata["instance_host"] == "compute-1")
        #expect(metadata["status"] == "active")
        #expect(metadata["state"] == "running")
        #expect(metadata["task_state"] == .null)
        #expect(metadata["image"] == ["id": "c0ffee00-1111-4222-8333-444455556666"])
        #expect(metadata["image_ref"] == "c0ffee00-1111-4222-8333-444455556666")
        #expect(metadata["image_ref_url"] == .null)
        #expect(metadata["os_type"] == "hvm")
        #expect(metadata["architecture"] == "x86_64")
        #expect(metadata["vcpus"] == 2)
        #expect(metadata["memory_mb"] == 2048)
        #expect(metadata["disk_gb"] == 20)
        #expect(metadata["ephemeral_gb"] == 5)
        #expect(metadata["root_gb"] == 15)
        #expect(metadata["user_metadata"] == nil)
        if case .dictionary(let flavor)? = metadata["flavor"] {
            #expect(flavor["name"] == "m1.small")
            #expect(flavor["disk"] == 20)
        } else {
            Issue.record("flavor metadata is not a mapping")
        }
    }

    @Test func stoppedInstancesGetEveryAnsweredMeterWhenConfigured() async throws {
        let samples = try await ComputeHarness(extraConfiguration: "  report_stopped_instance_metrics: true\n").cycle()
        #expect(Self.byResource(samples["disk.root.size"])[Self.shutOff]?.volume == 1)
        #expect(Self.byResource(samples["cpu"])[Self.shutOff] != nil)  // virDomainGetInfo answers
        #expect(Self.byResource(samples["memory.usage"])[Self.shutOff] == nil)  // "domain is not running"
        #expect(Self.byResource(samples["disk.device.allocation"])["\(Self.shutOff)-vda"] != nil)
        #expect(Self.byResource(samples["disk.device.read.bytes"])["\(Self.shutOff)-vda"] == nil)
    }

    @Test func vanishedDomainIsSkipped() async throws {
        let harness = try ComputeHarness()
        let context = harness.context()
        var resources = try await harness.discoverer.discover(parameter: nil, context: context)
        let ghost = InstanceDescription(id: "0badc0de-0000-4000-8000-000000000000", domainName: "instance-dead", state: 1)
        resources.append(.instance(ghost, host: "compute-1"))
        for name in ["cpu", "disk.device.read.bytes", "network.incoming.bytes"] {
            let samples = try await #require(harness.pollsters[name]).poll(resources: resources, context: context)
            #expect(!samples.isEmpty)
            #expect(!samples.contains { $0.resourceID.hasPrefix(ghost.id) })
        }
        let inspector = try ComputePollsters.inspector(harness.environment)
        #expect(try await inspector.inspection(uuid: ghost.id, cache: context.cache) == .vanished)
    }

    @Test func oneInspectionPerDomainPerCycle() async throws {
        let harness = try ComputeHarness()
        let context = harness.context()
        let resources = try await harness.discoverer.discover(parameter: nil, context: context)
        for pollster in harness.pollsters.values {
            _ = try? await pollster.poll(resources: resources, context: context)
        }
        let keys = Set(context.cache.keys)
        #expect(keys.contains(LibvirtInspector.bulkKey))
        let inspections = keys.filter { $0.hasPrefix(LibvirtInspector.inspectionKeyPrefix) }
        #expect(inspections.count == 4)
        // Discovery left each parsed domain XML in the cycle cache for the inspector.
        #expect(keys.filter { $0.hasPrefix(LibvirtInspector.descriptionKeyPrefix) }.count == 4)
        #expect(ComputePollsters.meters.count == harness.pollsters.count)
    }

    @Test func defaultTestDriverDomainUsesFallbackMetadata() async throws {
        let harness = try ComputeHarness(uri: "test:///default")
        let samples = try await harness.cycle(["cpu", "memory", "disk.device.read.bytes", "power.state"])
        let cpu = try #require(samples["cpu"]?.first)
        #expect(cpu.resourceID == "6695eb01-f6a4-8304-79aa-97f2502e193f")
        #expect(cpu.resourceMetadata["display_name"] == "test")
        #expect(cpu.resourceMetadata["name"] == "test")
        #expect(cpu.userID == nil)
        #expect(cpu.resourceMetadata["cpu_number"] == 2)
        #expect(samples["memory"]?.first?.volume == 2048.0)
        #expect(samples["power.state"]?.first?.volume == 1)
        #expect(samples["disk.device.read.bytes"]?.map(\.resourceID) == ["6695eb01-f6a4-8304-79aa-97f2502e193f-vda"])
    }
}
