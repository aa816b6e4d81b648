#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StratusCore
import Yams

extension PipelineDefinition {
    /// The keys a source may have.
    public static let sourceKeys: Set<String> = ["name", "meters", "sinks"]
    /// The keys a sink may have.
    public static let sinkKeys: Set<String> = ["name", "transformers", "publishers"]

    /// Reads and checks a file.
    /// - Throws: ``PipelineDefinitionError`` with every problem found.
    public static func load(
        path: String, transformers: TransformerRegistry = .builtIn, publishers: PublisherRegistry = .builtIn,
        context: PublisherContext
    ) throws(PipelineDefinitionError) -> PipelineDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineDefinitionError([ConfigurationError(file: path, reason: "cannot read the pipeline definitions: \(error)")])
        }
        return try parse(yaml: text, file: path, transformers: transformers, publishers: publishers, context: context)
    }

    /// Parses and checks YAML text as Ceilometer's `PipelineManager` does, and more: every
    /// transformer is built from its parameters and every publisher from its URL.
    /// - Parameters:
    ///   - yaml: The document.
    ///   - file: The name used in messages.
    ///   - transformers: The transformers names may refer to.
    ///   - publishers: The publisher schemes URLs may use.
    ///   - context: What publishers are built with.
    /// - Throws: ``PipelineDefinitionError`` with every problem found.
    public static func parse(
        yaml: String, file: String, transformers: TransformerRegistry = .builtIn, publishers: PublisherRegistry = .builtIn,
        context: PublisherContext
    ) throws(PipelineDefinitionError) -> PipelineDefinition {
        var problems: [ConfigurationError] = []
        func problem(_ line: Int?, _ reason: String) {
            problems.append(ConfigurationError(file: file, line: line, reason: reason))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PipelineDefinitionError([yamlProblem(error, file: file)])
        } catch {
            throw PipelineDefinitionError([ConfigurationError(file: file, reason: "invalid YAML: \(error)")])
        }
        guard let root, case .mapping(let top) = root else {
            throw PipelineDefinitionError([ConfigurationError(
                file: file, line: root?.mark?.line, reason: "pipeline definitions must be a mapping with 'sources' and 'sinks' lists")])
        }
        for (key, _) in top where key.string != "sources" && key.string != "sinks" {
            problem(key.mark?.line, "unknown key '\(key.string ?? "?")'; pipeline definitions hold 'sources' and 'sinks'")
        }
        let sourceNodes = sequence(top["sources"], key: "sources", line: root.mark?.line, problem: problem)
        let sinkNodes = sequence(top["sinks"], key: "sinks", line: root.mark?.line, problem: problem)

        // Sinks first, so that sources can be checked against their names.
        var sinks: [Sink] = []
        var sinkLines: [String: Int] = [:]
        for node in sinkNodes ?? [] {
            let line = node.mark?.line
            guard case .mapping(let mapping) = node else {
                problem(line, "a sink must be a mapping with name, transformers and publishers")
                continue
            }
            guard let name = nonEmptyName(mapping, kind: "sink", line: line, problem: problem) else { continue }
            let label = "sink '\(name)'"
            if let first = sinkLines[name] {
                problem(mapping["name"]?.mark?.line ?? line, "Duplicated sink names: \(name) (first at line \(first))")
                continue
            }
            sinkLines[name] = line ?? 0
            unknownKeys(mapping, allowed: sinkKeys, label: label, problem: problem)
            var steps: [TransformerStep] = []
            if let transformerNode = mapping["transformers"], !isNull(transformerNode) {
                if case .sequence(let items) = transformerNode {
                    for item in items {
                        if let step = transformerStep(item, sink: label, registry: transformers, problem: problem) { steps.append(step) }
                    }
                } else {
                    problem(transformerNode.mark?.line ?? line, "\(label): transformers must be a list")
                }
            }
            var urls: [PublisherURL] = []
            let publisherNode = mapping["publishers"]
            if let items = stringList(publisherNode, key: "publishers", label: label, line: line, problem: problem), !items.isEmpty {
                for (index, item) in items.enumerated() {
                    let itemLine = itemLine(publisherNode, index) ?? line
                    do {
                        let url = try PublisherURL(item)
                        _ = try publishers.make(url, context: context)
                        urls.append(url)
                    } catch {
                        problem(itemLine, "\(label): \(error.reason)")
                    }
                }
            } else if publisherNode.map({ !isNull($0) && $0.sequence == nil }) != true {
                problem(publisherNode?.mark?.line ?? line, "\(label): No publisher specified")
            }
            sinks.append(Sink(name: name, transformers: steps, publishers: urls, line: line))
        }

        var sources: [Source] = []
        var sourceLines: [String: Int] = [:]
        var pipelineNames: [String: Int] = [:]
        for node in sourceNodes ?? [] {
            let line = node.mark?.line
            guard case .mapping(let mapping) = node else {
                problem(line, "a source must be a mapping with name, meters and sinks")
                continue
            }
            guard let name = nonEmptyName(mapping, kind: "source", line: line, problem: problem) else { continue }
            let label = "source '\(name)'"
            if let first = sourceLines[name] {
                problem(mapping["name"]?.mark?.line ?? line, "Duplicated source names: \(name) (first at line \(first))")
                continue
            }
            sourceLines[name] = line ?? 0
            unknownKeys(mapping, allowed: sourceKeys, label: label, problem: problem)
            var selector: MeterSelector?
            if let meters = stringList(mapping["meters"], key: "meters", label: label, line: line, problem: problem) {
                do {
                    selector = try MeterSelector(meters)
                } catch {
                    problem(mapping["meters"]?.mark?.line ?? line, "\(label): \(error)")
                }
            } else if mapping["meters"].map(isNull) ?? true {
                problem(line, "\(label): Missing meters value")
            }
            let sinkNames = stringList(mapping["sinks"], key: "sinks", label: label, line: line, problem: problem)
            if let sinkNames, sinkNames.isEmpty {
                problem(mapping["sinks"]?.mark?.line ?? line, "\(label): No sink defined")
            } else if sinkNames == nil, mapping["sinks"].map(isNull) ?? true {
                problem(line, "\(label): No sink defined")
            }
            for (index, sinkName) in (sinkNames ?? []).enumerated() {
                let at = itemLine(mapping["sinks"], index) ?? line
                if sinkLines[sinkName] == nil {
                    if sinkNodes != nil { problem(at, "\(label): Dangling sink \(sinkName) from source \(name)") }
                    continue
                }
                let pipelineName = name == sinkName ? name : "\(name):\(sinkName)"
                if let first = pipelineNames[pipelineName] {
                    problem(at, "Duplicate pipeline name: \(pipelineName) (first at line \(first))")
                } else {
                    pipelineNames[pipelineName] = at ?? 0
                }
            }
            if let selector, let sinkNames, !sinkNames.isEmpty {
                sources.append(Source(name: name, meters: selector, sinks: sinkNames, line: line))
            }
        }
        guard problems.isEmpty else {
            // By line; problems of one line keep the order they were found in.
            let ordered = problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw PipelineDefinitionError(ordered.map(\.element))
        }
        return PipelineDefinition(sources: sources, sinks: sinks, file: file)
    }
}
