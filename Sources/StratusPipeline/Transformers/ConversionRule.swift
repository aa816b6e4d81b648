import StratusCore

/// The `source`/`target` parameters shared by `unit_conversion`, `rate_of_change` and
/// `aggregator` (Ceilometer's `ScalingTransformer`): unit filter, renames, type, scale, max.
struct ConversionRule: Sendable, Hashable {
    /// A `scale`: a factor (a YAML number: the volume is multiplied by it), an expression over
    /// the sample's fields (a string: its value replaces the volume, as Ceilometer's `eval`), or
    /// a constant (rate_of_change's default `'1'`).
    enum Scale: Sendable, Hashable {
        case factor(Double)
        case expression(SampleExpression)
        case constant(Double)
    }

    /// `source.unit`: the rule applies only to samples in this unit (unit_conversion).
    var sourceUnit: String?
    var targetName: String?
    var targetUnit: String?
    var targetType: SampleType?
    var scale: Scale?
    /// `target.max`: results are clamped to it (0 or absent: no clamp, as Ceilometer's `if self.max`).
    var max: Double?
    /// `map_from`/`map_to` for `name` and `unit`.
    var nameMap: RegexSubstitution?
    var unitMap: RegexSubstitution?

    static let sourceKeys: Set<String> = ["unit", "map_from"]
    static let targetKeys: Set<String> = ["name", "unit", "type", "scale", "max", "map_to"]

    /// Reads `source` and `target` from `parameters`.
    init(_ parameters: TransformerParameters, defaultScale: Scale? = nil) throws(TransformerParameterError) {
        let source = try TransformerParameters.mapping(parameters.values["source"], path: "source")
        let target = try TransformerParameters.mapping(parameters.values["target"], path: "target")
        try parameters.checkKeys(Self.sourceKeys, in: source, path: "source")
        try parameters.checkKeys(Self.targetKeys, in: target, path: "target")
        sourceUnit = try TransformerParameters.string(source["unit"], path: "source.unit")
        targetName = try TransformerParameters.string(target["name"], path: "target.name")
        targetUnit = try TransformerParameters.string(target["unit"], path: "target.unit")
        if let type = try TransformerParameters.choice(
            target["type"], path: "target.type", choices: SampleType.allCases.map(\.rawValue), default: nil) {
            targetType = SampleType(rawValue: type)
        }
        switch target["scale"] {
        case nil, .null?:
            scale = defaultScale
        case .string(let text)?:
            do {
                // Python's `if scale`: an empty string means no scaling.
                scale = text.isEmpty ? defaultScale : .expression(try SampleExpression(text))
            } catch {
                throw TransformerParameterError(path: "target.scale", reason: error.reason)
            }
        case let value?:
            guard let factor = try TransformerParameters.number(value, path: "target.scale") else { break }
            scale = factor == 0 ? defaultScale : .factor(factor)
        }
        max = try TransformerParameters.number(target["max"], path: "target.max")
        let mapFrom = try TransformerParameters.mapping(source["map_from"], path: "source.map_from")
        let mapTo = try TransformerParameters.mapping(target["map_to"], path: "target.map_to")
        try parameters.checkKeys(["name", "unit"], in: mapFrom, path: "source.map_from")
        try parameters.checkKeys(["name", "unit"], in: mapTo, path: "target.map_to")
        nameMap = try Self.substitution(mapFrom, mapTo, attribute: "name")
        unitMap = try Self.substitution(mapFrom, mapTo, attribute: "unit")
    }

    private static func substitution(
        _ from: [String: TelemetryValue], _ to: [String: TelemetryValue], attribute: String
    ) throws(TransformerParameterError) -> RegexSubstitution? {
        let pattern = try TransformerParameters.string(from[attribute], path: "source.map_from.\(attribute)")
        let template = try TransformerParameters.string(to[attribute], path: "target.map_to.\(attribute)")
        guard let pattern, !pattern.isEmpty, let template, !template.isEmpty else { return nil }
        do {
            return try RegexSubstitution(pattern: pattern, template: template)
        } catch {
            throw TransformerParameterError(path: "source.map_from.\(attribute)", reason: error.reason)
        }
    }

    /// Whether the sample is in `source.unit` (always, when it is not set).
    func accepts(_ sample: Sample) -> Bool { (sourceUnit ?? sample.unit) == sample.unit }

    /// `_scale`: the scaled volume.
    func scaled(_ sample: Sample) throws(TransformerError) -> Double {
        guard let volume = sample.numericVolume else { throw TransformerError("volume \(sample.volume) is not a number") }
        switch scale {
        case nil: return volume
        case .factor(let factor)?: return volume * factor
        case .constant(let value)?: return value
        case .expression(let expression)?:
            do {
                return try expression.evaluate(sample: sample)
            } catch {
                throw TransformerError(error.description)
            }
        }
    }

    /// `_map`: the renamed name or unit.
    func mapped(_ value: String, with map: RegexSubstitution?, fallback: String?) -> String {
        if let map, let result = map.apply(to: value), !result.isEmpty { return result }
        return fallback ?? value
    }

    /// The target name and unit of a sample's name and unit.
    func renamed(name: String, unit: String) -> (name: String, unit: String) {
        (mapped(name, with: nameMap, fallback: targetName), mapped(unit, with: unitMap, fallback: targetUnit))
    }

    /// `_convert`: the sample renamed, retyped, with volume `scale(sample) × growth`, clamped to `max`.
    func convert(_ sample: Sample, growth: Double = 1) throws(TransformerError) -> Sample {
        var renames = Renames()
        return try convert(sample, growth: growth, renames: &renames)
    }

    /// `_convert`, with the target names looked up in `renames` first.
    func convert(_ sample: Sample, growth: Double = 1, renames: inout Renames) throws(TransformerError) -> Sample {
        var volume = try scaled(sample) * growth
        if let max, max != 0 { volume = Swift.min(volume, max) }
        let target = renames.target(name: sample.name, unit: sample.unit, of: self)
        // A new sample, as Ceilometer's `sample.Sample(...)`: new id, default source, no
        // monotonic time; identity, timestamp and metadata carried over.
        return Sample(
            name: target.name,
            type: targetType ?? sample.type,
            unit: target.unit,
            volume: .double(volume),
            userID: sample.userID, projectID: sample.projectID, resourceID: sample.resourceID,
            timestamp: sample.timestamp, resourceMetadata: sample.resourceMetadata)
    }
}

/// The last few target names and units of a ``ConversionRule``: a sink sees few meters, and
/// comparing a name with a remembered one is cheaper than looking it up by hash.
struct Renames: Sendable {
    private struct Entry: Sendable {
        var name: String
        var unit: String
        var target: (name: String, unit: String)
    }

    private var entries: [Entry] = []
    private var next = 0
    /// Entries kept.
    static let capacity = 8

    /// The rule's target name and unit of `name` and `unit`.
    mutating func target(name: String, unit: String, of rule: ConversionRule) -> (name: String, unit: String) {
        for entry in entries where entry.name == name && entry.unit == unit { return entry.target }
        let target = rule.renamed(name: name, unit: unit)
        let entry = Entry(name: name, unit: unit, target: target)
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) % Self.capacity
        }
        return target
    }
}
