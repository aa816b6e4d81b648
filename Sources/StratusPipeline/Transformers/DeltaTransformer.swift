import StratusCore

/// `delta`: the difference between consecutive volumes of one meter and resource, as a `delta`
/// sample named `target.name` (else the meter's name). The first sample is dropped, so is a
/// sample older than the cached one (the cache is kept), and with `growth_only` a negative delta.
public struct DeltaTransformer: Transformer {
    let targetName: String?
    let growthOnly: Bool
    private(set) var cache: [RateOfChangeTransformer.Key: (volume: Double, timestamp: Double)] = [:]

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        try parameters.checkKeys(["target", "growth_only"], in: parameters.values, path: "")
        let target = try TransformerParameters.mapping(parameters.values["target"], path: "target")
        try parameters.checkKeys(["name"], in: target, path: "target")
        targetName = try TransformerParameters.string(target["name"], path: "target.name")
        growthOnly = try TransformerParameters.bool(parameters.values["growth_only"], path: "growth_only", default: false)
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        guard let volume = sample.numericVolume else { throw TransformerError("volume \(sample.volume) is not a number") }
        guard let timestamp = sample.epochSeconds else {
            throw TransformerError("timestamp \(sample.timestamp ?? "None") is not an ISO 8601 time")
        }
        let key = RateOfChangeTransformer.Key(name: sample.name, resourceID: sample.resourceID)
        // One lookup: the new state in, the previous one out.
        guard let previous = cache.updateValue((volume, timestamp), forKey: key) else { return nil }
        guard timestamp >= previous.timestamp else {
            context.logger.warning("Dropping out of time order sample", metadata: [
                "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
            ])
            cache[key] = previous
            return nil
        }
        let delta = volume - previous.volume
        if growthOnly && delta < 0 {
            context.logger.warning("Negative delta detected, dropping value", metadata: [
                "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
            ])
            return nil
        }
        return Sample(
            name: targetName ?? sample.name, type: .delta, unit: sample.unit, volume: .double(delta),
            userID: sample.userID, projectID: sample.projectID, resourceID: sample.resourceID,
            timestamp: sample.timestamp, resourceMetadata: sample.resourceMetadata)
    }
}
