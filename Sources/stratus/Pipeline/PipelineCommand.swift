import ArgumentParser
import Foundation
import Logging
import StratusCore
import StratusPipeline

/// `stratus pipeline`: operator tools for pipeline.yaml.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Check a pipeline.yaml, or show what it does to samples before deploying it.",
        subcommands: [PipelineValidateCommand.self, PipelineDryRunCommand.self])
}

/// The publisher schemes the executable knows: the library's built-in ones, plus the services'
/// publishers once they are wired here.
enum PipelineCatalog {
    static var publishers: PublisherRegistry {
        PublisherRegistry.builtIn.registering("notifier") { url, context in try NotifierSamplePublisher(url: url, context: context) }
    }

    /// What publishers are built with, from the configuration.
    /// - Parameter gnocchiURL: Replaces `publisher.gnocchi_url` when it is not configured (all-in-one: its own API).
    static func publisherContext(configuration: ConfigurationFile, logger: Logger, gnocchiURL: String? = nil) throws -> PublisherContext {
        var publisher = try PublisherConfiguration(configuration.section("publisher"))
        if let gnocchiURL, !configuration.section("publisher").contains("gnocchi_url") {
            publisher.gnocchiURL = gnocchiURL
        }
        return PublisherContext(logger: logger, configuration: publisher)
    }
}

/// `stratus pipeline validate FILE`.
struct PipelineValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline.yaml; print every error with file, line and reason, or 'ok'.")

    @OptionGroup var options: CommonOptions

    @Argument(help: "The pipeline.yaml to check.")
    var file: String

    func run() async throws {
        let logger = options.makeLogger("stratus.pipeline")
        do {
            let definition = try PipelineDefinition.load(
                path: file, publishers: PipelineCatalog.publishers, context: PublisherContext(logger: logger))
            print("ok: \(file): \(definition.sources.count) source(s), \(definition.sinks.count) sink(s), \(definition.routes.count) pipeline(s)")
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode.failure
        }
    }
}
