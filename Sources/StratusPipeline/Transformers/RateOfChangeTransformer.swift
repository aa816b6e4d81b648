import StratusCore

/// `rate_of_change`: Δvolume / Δt between consecutive samples of one meter and resource,
/// multiplied by `target.scale` (default 1; as in Ceilometer a numeric scale also multiplies by
/// the volume, an expression does not), renamed, retyped and clamped as `unit_conversion`.
///
/// Δt uses `monotonic_time` when both samples have it, else the timestamps. The first sample of a
/// meter and resource is dropped (no predecessor); a sample older than the cached one is
/// dropped and the cache kept; for a cumulative meter a volume below the previous one is a
/// counter reset, so Δvolume is the current volume; Δt = 0 gives a rate of 0.
public struct RateOfChangeTransformer: Transformer {
    struct Key: Hashable, Sendable {
        var name: String
        var resourceID: String
    }

    struct Previous: Sendable {
        var volume: Double
        var timestamp: Double
        var monotonicTime: Double?
    }

    let rule: ConversionRule
    private(set) var cache: [Key: Previous] = [:]
    private var renames = Renames()

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        try parameters.checkKeys(["source", "target"], in: parameters.values, path: "")
        // Ceilometer's default scale is the string '1': the rate itself.
        rule = try ConversionRule(parameters, defaultScale: .constant(1))
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        guard let volume = sample.numericVolume else { throw TransformerError("volume \(sample.volume) is not a number") }
        guard let timestamp = sample.epochSeconds else {
            throw TransformerError("timestamp \(sample.timestamp ?? "None") is not an ISO 8601 time")
        }
        let key = Key(name: sample.name, resourceID: sample.resourceID)
        // One lookup: the new state in, the previous one out.
        guard let previous = cache.updateValue(Previous(volume: volume, timestamp: timestamp, monotonicTime: sample.monotonicTime), forKey: key) else {
            context.logger.debug("Dropping sample with no predecessor", metadata: [
                "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
            ])
            return nil
        }
        let timeDelta: Double
        if let before = previous.monotonicTime, let now = sample.monotonicTime {
            timeDelta = now - before
        } else {
            timeDelta = timestamp - previous.timestamp
        }
        guard timeDelta >= 0 else {
            context.logger.warning("Dropping out of time order sample", metadata: [
                "sample.meter": .string(sample.name), "sample.resource_id": .string(sample.resourceID),
            ])
            cache[key] = previous
            return nil
        }
        let volumeDelta = previous.volume <= volume || sample.type != .cumulative ? volume - previous.volume : volume
        let rate = timeDelta != 0 ? volumeDelta / timeDelta : 0
        return try rule.convert(sample, growth: rate, renames: &renames)
    }
}
