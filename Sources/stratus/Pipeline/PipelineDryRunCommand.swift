import ArgumentParser
import Foundation
import Logging
import StratusCore
import StratusPipeline

/// `stratus pipeline dry-run --pipeline FILE [--samples FILE.jsonl]`: meter messages through the
/// pipeline with every publisher replaced by a printer.
struct PipelineDryRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run",
        abstract: "Run meter messages (one JSON object per line, as 'stratus polling --once --dry-run' prints them) through a pipeline.yaml and print, per sink and publisher, the samples it would publish.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("pipeline"), help: "The pipeline.yaml.")
    var pipeline: String

    @Option(name: .customLong("samples"), help: "The meter messages, one JSON object per line (default: standard input).")
    var samples: String?

    @Option(name: .customLong("batch-size"), help: "Samples per batch; transformers flush after each batch (the polling agent's batch_size).")
    var batchSize = 50

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        let logger = options.makeLogger("stratus.pipeline")
        let context = PublisherContext(logger: logger)
        let manager: PipelineManager
        do {
            manager = try PipelineManager(
                path: pipeline, publishers: PipelineCatalog.publishers, context: context,
                publisherBuilder: { _, _ in TestPublisher() })
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode.failure
        }
        let text: String
        if let samples {
            do {
                text = try String(contentsOfFile: samples, encoding: .utf8)
            } catch {
                FileHandle.standardError.write(Data("\(samples): cannot read the samples: \(error)\n".utf8))
                throw ExitCode.failure
            }
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let input = samples ?? "<stdin>"
        var batch: [Sample] = []
        var read = 0, rejected = 0, invalidVolume = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            do {
                batch.append(try Sample(meterMessage: MeterMessage(json: trimmed)))
                read += 1
            } catch {
                rejected += 1
                FileHandle.standardError.write(Data("\(input):\(index + 1): not a meter message: \(error)\n".utf8))
                continue
            }
            if batch.count >= batchSize {
                invalidVolume += await manager.process(batch).invalidVolume
                batch.removeAll()
            }
        }
        if !batch.isEmpty { invalidVolume += await manager.process(batch).invalidVolume }
        let definition = await manager.definition
        for sink in definition.sinks {
            for (url, publisher) in await manager.publishers(ofSink: sink.name) {
                let published = (publisher as? TestPublisher)?.samples ?? []
                print("# sink \(sink.name) publisher \(url.text): \(published.count) sample(s)")
                for sample in published { print(sample.jsonLine) }
            }
        }
        print("# \(read) sample(s) read, \(invalidVolume) dropped (volume missing or not a number), \(rejected) line(s) rejected")
    }
}
