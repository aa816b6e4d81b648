import Logging
import StratusCore
@testable import StratusPipeline

extension Sample {
    /// A sample for tests.
    static func make(
        _ name: String, _ volume: TelemetryValue, type: SampleType = .gauge, unit: String = "B", resource: String = "r1",
        at timestamp: String = "2026-11-25T10:00:00", metadata: [String: TelemetryValue] = [:],
        user: String? = "u1", project: String? = "p1", monotonic: Double? = nil, id: String? = nil
    ) -> Sample {
        Sample(
            name: name, type: type, unit: unit, volume: volume, userID: user, projectID: project, resourceID: resource,
            timestamp: timestamp, resourceMetadata: metadata, id: id ?? UUIDText.random(), monotonicTime: monotonic)
    }
}

enum Fixture {
    static let logger = Logger(label: "test.pipeline")
    static let context = TransformerContext(now: 0, logger: logger)
    static let publisherContext = PublisherContext(logger: logger)

    /// Transformer parameters from a literal.
    static func parameters(_ values: [String: TelemetryValue]) -> TransformerParameters { TransformerParameters(values) }

    /// A pipeline parsed from YAML with the built-in registries (plus `gnocchi` as a stand-in).
    static func definition(_ yaml: String, publishers: PublisherRegistry = registry) throws -> PipelineDefinition {
        try PipelineDefinition.parse(yaml: yaml, file: "pipeline.yaml", publishers: publishers, context: publisherContext)
    }

    /// The problems of an invalid YAML text.
    static func problems(_ yaml: String) -> [ConfigurationError] {
        do {
            _ = try PipelineDefinition.parse(yaml: yaml, file: "pipeline.yaml", publishers: registry, context: publisherContext)
            return []
        } catch {
            return error.problems
        }
    }

    /// Built-in publishers plus a stand-in for `gnocchi://` (registered by the notification role).
    static let registry = PublisherRegistry.builtIn.registering("gnocchi") { _, _ in TestPublisher() }
}

/// A publisher that always fails.
struct FailingPublisher: Publisher {
    func publish(_ samples: [Sample]) async throws { throw PublishError("boom") }
}
