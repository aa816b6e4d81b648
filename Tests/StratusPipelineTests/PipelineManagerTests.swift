import Foundation
import Synchronization
import StratusCore
import Testing
@testable import StratusPipeline

@Suite("Pipeline manager")
struct PipelineManagerTests {
    static let yaml = """
        sources:
          - name: everything
            meters: ["*"]
            sinks: [raw]
          - name: cpu
            meters: ["cpu"]
            sinks: [cpu_util]
          - name: not_cpu
            meters: ["!cpu", "!disk.*"]
            sinks: [raw]
        sinks:
          - name: raw
            publishers: ["test://"]
          - name: cpu_util
            transformers:
              - name: rate_of_change
                parameters:
                  target: {name: cpu_util, unit: "%", type: gauge, scale: "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"}
            publishers: ["fail://", "test://"]
        """

    static let registry = Fixture.registry.registering("fail") { _, _ in FailingPublisher() }

    static func manager(_ yaml: String = Self.yaml) throws -> PipelineManager {
        try PipelineManager(
            definition: try Fixture.definition(yaml, publishers: registry), publishers: registry,
            context: Fixture.publisherContext, clock: { 0 })
    }

    static func received(_ manager: PipelineManager, sink: String) async -> [Sample] {
        await manager.publishers(ofSink: sink).compactMap { $0.publisher as? TestPublisher }.flatMap(\.samples)
    }

    @Test func routesEachSampleToTheSinksOfEverySourceThatSelectsIt() async throws {
        let manager = try Self.manager()
        let report = await manager.process([
            .make("cpu", 0, type: .cumulative, at: "2026-11-25T10:00:00"),
            .make("memory", 512),
            .make("disk.read.bytes", 1),
        ])
        // raw: everything (3) + not_cpu (memory) = 4; cpu_util: first cpu sample dropped.
        #expect(await Self.received(manager, sink: "raw").map(\.name) == ["cpu", "memory", "disk.read.bytes", "memory"])
        #expect(await Self.received(manager, sink: "cpu_util").isEmpty)
        #expect(report.received == 3)
        #expect(report.published == 4)
        await manager.process([.make("cpu", 20_000_000_000, type: .cumulative, at: "2026-11-25T10:00:10", metadata: ["cpu_number": 4])])
        let cpuUtil = await Self.received(manager, sink: "cpu_util")
        #expect(cpuUtil.map(\.name) == ["cpu_util"])
        #expect(cpuUtil.first?.volume == .double(50))  // 2e9 ns/s × 100 / (1e9 × 4)
    }

    @Test func aPublisherFailureIsLoggedAndTheOtherPublishersStillRun() async throws {
        let manager = try Self.manager()
        await manager.process([.make("cpu", 0, type: .cumulative, at: "2026-11-25T10:00:00")])
        let report = await manager.process([.make("cpu", 1_000_000_000, type: .cumulative, at: "2026-11-25T10:00:01")])
        #expect(report.publisherFailures == 1)
        #expect(await manager.publisherFailureCount == 1)
        #expect(await Self.received(manager, sink: "cpu_util").map(\.volume) == [.double(100)])
    }

    @Test func samplesWithoutANumericVolumeAreDroppedAndCounted() async throws {
        let manager = try Self.manager()
        let report = await manager.process([
            .make("memory", nil), .make("memory", "many"), .make("memory", ["list"]), .make("memory", "42.5"), .make("memory", 1),
        ])
        #expect(report.invalidVolume == 3)
        #expect(await manager.invalidVolumeCount == 3)
        #expect(await Self.received(manager, sink: "raw").map(\.volume) == ["42.5", 1, "42.5", 1])
    }

    @Test func sinksNamingTheSameSharedURLShareOnePublisher() async throws {
        let yaml = """
            sources:
              - {name: all, meters: ["*"], sinks: [a, b, c]}
            sinks:
              - {name: a, publishers: ["gnocchi://", "test://"]}
              - {name: b, publishers: ["gnocchi://", "test://"]}
              - {name: c, publishers: ["gnocchi://?archive_policy=low"]}
            """
        let manager = try Self.manager(yaml)
        func identity(_ sink: String, _ index: Int) async -> ObjectIdentifier {
            ObjectIdentifier(await manager.publishers(ofSink: sink)[index].publisher as AnyObject)
        }
        // gnocchi:// is a shared scheme: one instance per URL text; test:// is not.
        #expect(await identity("a", 0) == identity("b", 0))
        #expect(await identity("a", 0) != identity("c", 0))
        #expect(await identity("a", 1) != identity("b", 1))
        // The shared publisher receives each sink's samples, in sink order.
        await manager.process([.make("m", 1)])
        let shared = try #require(await manager.publishers(ofSink: "a")[0].publisher as? TestPublisher)
        #expect(shared.samples.count == 2)
        #expect(await Self.received(manager, sink: "c").count == 1)
    }

    @Test func aTransformerErrorDropsOnlyThatSample() async throws {
        let manager = try Self.manager()
        let report = await manager.process([
            .make("cpu", 0, type: .cumulative, at: "not a time"),
            .make("cpu", 0, type: .cumulative, resource: "r2", at: "2026-11-25T10:00:00"),
        ])
        #expect(report.transformerErrors == 1)
    }

    @Test func transformersReleaseHeldSamplesOnFlushAndRetentionTimer() async throws {
        let clock = ClockBox()
        let yaml = """
            sources:
              - name: s
                meters: ["*"]
                sinks: [k]
            sinks:
              - name: k
                transformers:
                  - name: accumulator
                    parameters: {size: 3, retention_time: 30}
                  - name: unit_conversion
                    parameters: {target: {scale: 10}}
                publishers: ["test://"]
            """
        let manager = try PipelineManager(
            definition: try Fixture.definition(yaml), context: Fixture.publisherContext, clock: { clock.now })
        clock.now = 100
        await manager.process([.make("m", 1), .make("m", 2)])
        #expect(await Self.received(manager, sink: "k").isEmpty)
        await manager.process([.make("m", 3)])
        #expect(await Self.received(manager, sink: "k").map(\.volume) == [.double(10), .double(20), .double(30)])
        await manager.process([.make("m", 4)])
        clock.now = 131
        await manager.flush()
        #expect(await Self.received(manager, sink: "k").count == 4)
    }

    /// Runs `body` with a manager loaded from a pipeline.yaml holding `yaml`, in a directory removed afterwards.
    static func withPipelineFile(_ yaml: String, _ body: (_ path: String, _ manager: PipelineManager) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pipeline.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        try await body(path, try PipelineManager(path: path, context: Fixture.publisherContext))
    }

    @Test func reloadsOnChangeAndKeepsTheOldPipelineWhenTheNewOneIsInvalid() async throws {
        let first = """
            sources:
              - {name: a, meters: ["*"], sinks: [one]}
            sinks:
              - {name: one, publishers: ["test://"]}
            """
        try await Self.withPipelineFile(first) { path, manager in
            #expect(await manager.reloadIfChanged() == .unchanged)
            // Same content, new mtime: unchanged.
            try await Task.sleep(for: .milliseconds(20))
            try first.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(await manager.reloadIfChanged() == .unchanged)
            // Invalid: rejected with file and line, old pipeline kept.
            try await Task.sleep(for: .milliseconds(20))
            try first.replacingOccurrences(of: "[one]}", with: "[two]}").write(toFile: path, atomically: true, encoding: .utf8)
            guard case .rejected(let error) = await manager.reloadIfChanged() else {
                Issue.record("an invalid file must be rejected")
                return
            }
            #expect(error.problems.map(\.description) == ["\(path):2: source 'a': Dangling sink two from source a"])
            #expect(await manager.definition.sinks.map(\.name) == ["one"])
            await manager.process([.make("m", 1)])
            #expect(await Self.received(manager, sink: "one").count == 1)
            // Valid again: reloaded.
            try await Task.sleep(for: .milliseconds(20))
            try first.replacingOccurrences(of: "one", with: "two").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(await manager.reloadIfChanged() == .reloaded)
            #expect(await manager.definition.sinks.map(\.name) == ["two"])
            await manager.process([.make("m", 1)])
            #expect(await Self.received(manager, sink: "two").count == 1)
        }
    }

    @Test func aReloadedSourceSelectsByItsNewMeters() async throws {
        let first = """
            sources:
              - {name: a, meters: ["m"], sinks: [one]}
            sinks:
              - {name: one, publishers: ["test://"]}
            """
        try await Self.withPipelineFile(first) { path, manager in
            #expect(await manager.process([.make("m", 1), .make("n", 1)]).published == 1)
            // The routes chosen for "m" and "n" before the reload must not outlive it.
            try await Task.sleep(for: .milliseconds(20))
            try first.replacingOccurrences(of: "[\"m\"]", with: "[\"n\"]").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(await manager.reloadIfChanged() == .reloaded)
            #expect(await manager.process([.make("m", 1)]).published == 0)
            #expect(await manager.process([.make("n", 2), .make("m", 2), .make("n", 3)]).published == 2)
            #expect(await Self.received(manager, sink: "one").map(\.volume) == [.int(2), .int(3)])
        }
    }
}

/// A settable clock shared with the manager.
final class ClockBox: Sendable {
    private let value = Mutex<Double>(0)

    var now: Double {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
