import StratusCore

/// `unit_conversion` (Ceilometer's `ScalingTransformer`): samples in `source.unit` (every
/// sample when it is not set) are renamed (`target.name`, or `map_from`/`map_to` regexes),
/// retyped, scaled (`target.scale`, a factor or an expression) and clamped to `target.max`;
/// other samples pass unchanged.
public struct UnitConversionTransformer: Transformer {
    let rule: ConversionRule

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        try parameters.checkKeys(["source", "target"], in: parameters.values, path: "")
        rule = try ConversionRule(parameters)
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        guard rule.accepts(sample) else { return sample }
        return try rule.convert(sample)
    }
}
