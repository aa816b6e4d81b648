import StratusCore

/// A checked `pipeline.yaml` (reference B7): sources that select meters and name sinks, sinks
/// with their transformer chain and publishers.
public struct PipelineDefinition: Sendable, Hashable {
    /// A source: which meters go to which sinks.
    public struct Source: Sendable, Hashable {
        /// The unique name.
        public var name: String
        /// The meter selection (include/exclude rules of B2).
        public var meters: MeterSelector
        /// The sinks, by name, in order.
        public var sinks: [String]
        /// The line of the source in the file.
        public var line: Int?

        /// Creates a source.
        public init(name: String, meters: MeterSelector, sinks: [String], line: Int? = nil) {
            self.name = name
            self.meters = meters
            self.sinks = sinks
            self.line = line
        }
    }

    /// One transformer of a sink.
    public struct TransformerStep: Sendable, Hashable {
        /// The transformer name (`rate_of_change`).
        public var name: String
        /// Its parameters.
        public var parameters: TransformerParameters
        /// The line of the transformer in the file.
        public var line: Int?

        /// Creates a step.
        public init(name: String, parameters: TransformerParameters = TransformerParameters(), line: Int? = nil) {
            self.name = name
            self.parameters = parameters
            self.line = line
        }
    }

    /// A sink: transformers, then publishers.
    public struct Sink: Sendable, Hashable {
        /// The unique name.
        public var name: String
        /// The transformer chain, in order.
        public var transformers: [TransformerStep]
        /// The publishers, in order.
        public var publishers: [PublisherURL]
        /// The line of the sink in the file.
        public var line: Int?

        /// Creates a sink.
        public init(name: String, transformers: [TransformerStep] = [], publishers: [PublisherURL], line: Int? = nil) {
            self.name = name
            self.transformers = transformers
            self.publishers = publishers
            self.line = line
        }
    }

    /// A (source, sink) pair: Ceilometer's pipeline.
    public struct Route: Sendable, Hashable {
        /// `source` when the source and sink names are equal, else `source:sink`.
        public var name: String
        /// Index in ``sources``.
        public var source: Int
        /// Index in ``sinks``.
        public var sink: Int
    }

    /// The sources, in file order.
    public var sources: [Source]
    /// The sinks, in file order.
    public var sinks: [Sink]
    /// The file, for messages.
    public var file: String

    /// Creates a definition from checked parts (every sink a source names must exist).
    public init(sources: [Source], sinks: [Sink], file: String) {
        self.sources = sources
        self.sinks = sinks
        self.file = file
    }

    /// The pipelines in order: for each source, each of its sinks.
    public var routes: [Route] {
        var routes: [Route] = []
        for (sourceIndex, source) in sources.enumerated() {
            for sinkName in source.sinks {
                guard let sinkIndex = sinks.firstIndex(where: { $0.name == sinkName }) else { continue }
                let name = source.name == sinkName ? source.name : "\(source.name):\(sinkName)"
                routes.append(Route(name: name, source: sourceIndex, sink: sinkIndex))
            }
        }
        return routes
    }
}

/// Problems of a pipeline.yaml, each with file, line and reason.
public struct PipelineDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var problems: [ConfigurationError]

    /// Creates the error.
    public init(_ problems: [ConfigurationError]) {
        self.problems = problems
    }

    /// One `file:line: reason` per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
