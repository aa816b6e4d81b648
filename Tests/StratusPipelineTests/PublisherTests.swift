import Foundation
import StratusCore
import Testing
@testable import StratusPipeline

@Suite("Publishers")
struct PublisherTests {
    @Test func filePublisherWritesJSONLinesAndRotatesAsRotatingFileHandler() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("samples.jsonl").path
        let sample = Sample.make("cpu", 1, id: "00000000-0000-0000-0000-000000000001")
        let lineLength = sample.jsonLine.utf8.count + 1
        // Room for two lines per file, two backups.
        let publisher = try FilePublisher(url: PublisherURL("file://\(path)?max_bytes=\(2 * lineLength + 1)&backup_count=2"))
        for _ in 0..<7 { try await publisher.publish([sample]) }
        func lines(_ file: String) -> Int {
            ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        #expect(lines(path) == 1)
        #expect(lines(path + ".1") == 2)
        #expect(lines(path + ".2") == 2)
        #expect(!FileManager.default.fileExists(atPath: path + ".3"))
        let written = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let decoded = try Sample(meterMessage: MeterMessage(json: String(written[0])))
        #expect(decoded == sample)
    }

    @Test func filePublisherOptionsAreChecked() {
        #expect(throws: PublisherConfigurationError.self) { try FilePublisher(url: PublisherURL("file://")) }
        #expect(throws: PublisherConfigurationError.self) { try FilePublisher(url: PublisherURL("file:///x?max_bytes=ten&backup_count=1")) }
        #expect(throws: PublisherConfigurationError.self) { try FilePublisher(url: PublisherURL("file:///x?backup_count=-1")) }
    }

    @Test func unwritableFileIsAPublishError() async throws {
        let publisher = try FilePublisher(url: PublisherURL("file:///nonexistent-dir-\(UUID().uuidString)/x.jsonl"))
        await #expect(throws: PublishError.self) { try await publisher.publish([.make("m", 1)]) }
    }

    @Test func meterMessagesRoundTripThroughSamples() throws {
        let sample = Sample.make("disk.device.read.bytes", 5120, type: .cumulative, metadata: ["disk_name": "vda"], monotonic: 12.5)
        let back = try Sample(meterMessage: MeterMessage(json: sample.jsonLine))
        #expect(back == sample)
        #expect(throws: SampleDecodingError.self) { try Sample(meterMessage: MeterMessage(json: #"{"counter_name": "x"}"#)) }
    }
}
