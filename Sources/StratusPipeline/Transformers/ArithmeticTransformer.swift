import StratusCore

/// `arithmetic`: computes `target.expr` over the latest sample of each meter it references
/// (`$(memory.usage) * 100 / $(memory)`; `$(meter)` is the volume, `$(meter).field` a field),
/// per resource. Every sample it receives is consumed; at each flush, each resource that saw all
/// referenced meters since the previous flush gives one sample named `target.name`, with
/// `target.unit` and `target.type` (defaults: those of the first referenced meter), its
/// identity and metadata, and the timestamp of the last sample received. A result that is NaN
/// or cannot be computed is dropped.
public struct ArithmeticTransformer: Transformer {
    let expression: SampleExpression
    let targetName: String?
    let targetUnit: String?
    let targetType: SampleType?
    private(set) var cache: [String: [String: Sample]] = [:]
    private var resources: [String] = []
    private var latestTimestamp: String?

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        try parameters.checkKeys(["target"], in: parameters.values, path: "")
        let target = try TransformerParameters.mapping(parameters.values["target"], path: "target")
        try parameters.checkKeys(["name", "unit", "type", "expr"], in: target, path: "target")
        guard let text = try TransformerParameters.string(target["expr"], path: "target.expr"), !text.isEmpty else {
            throw TransformerParameterError(path: "target.expr", reason: "required")
        }
        do {
            expression = try SampleExpression(text, allowsMeterReferences: true)
        } catch {
            throw TransformerParameterError(path: "target.expr", reason: error.reason)
        }
        guard !expression.meterNames.isEmpty else {
            throw TransformerParameterError(path: "target.expr", reason: "must reference at least one meter as $(meter.name)")
        }
        targetName = try TransformerParameters.string(target["name"], path: "target.name")
        targetUnit = try TransformerParameters.string(target["unit"], path: "target.unit")
        targetType = try TransformerParameters.choice(
            target["type"], path: "target.type", choices: SampleType.allCases.map(\.rawValue), default: nil
        ).flatMap(SampleType.init(rawValue:))
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        if expression.meterNames.contains(sample.name) {
            if cache[sample.resourceID] == nil { resources.append(sample.resourceID) }
            cache[sample.resourceID, default: [:]][sample.name] = sample
        }
        latestTimestamp = sample.timestamp
        return nil
    }

    public mutating func flush(context: TransformerContext) -> [Sample] {
        defer {
            cache = [:]
            resources = []
        }
        var results: [Sample] = []
        for resource in resources {
            guard let meters = cache[resource], meters.count == expression.meterNames.count,
                  let reference = meters[expression.meterNames[0]] else {
                context.logger.warning("Unable to perform calculation, not all referenced meters are present", metadata: [
                    "sample.resource_id": .string(resource), "transformer.expr": .string(expression.text),
                ])
                continue
            }
            let volume: Double
            do {
                volume = try expression.evaluate(meters: meters)
            } catch {
                context.logger.warning("Unable to evaluate expression", metadata: [
                    "sample.resource_id": .string(resource), "error": .string(error.description),
                ])
                continue
            }
            guard !volume.isNaN else {
                context.logger.warning("Expression evaluated to a NaN value", metadata: [
                    "sample.resource_id": .string(resource), "transformer.expr": .string(expression.text),
                ])
                continue
            }
            results.append(Sample(
                name: targetName ?? reference.name, type: targetType ?? reference.type, unit: targetUnit ?? reference.unit,
                volume: .double(volume), userID: reference.userID, projectID: reference.projectID,
                resourceID: reference.resourceID, timestamp: latestTimestamp, resourceMetadata: reference.resourceMetadata))
        }
        return results
    }
}
