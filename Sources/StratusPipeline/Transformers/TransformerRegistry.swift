/// The transformers pipeline.yaml may name (reference B8), a table built at compile time.
public struct TransformerRegistry: Sendable {
    /// The transformer types by name.
    public var types: [String: any Transformer.Type]

    /// Creates a registry.
    public init(_ types: [String: any Transformer.Type]) {
        self.types = types
    }

    /// Ceilometer's six transformers.
    public static let builtIn = TransformerRegistry([
        "unit_conversion": UnitConversionTransformer.self,
        "rate_of_change": RateOfChangeTransformer.self,
        "delta": DeltaTransformer.self,
        "accumulator": AccumulatorTransformer.self,
        "aggregator": AggregatorTransformer.self,
        "arithmetic": ArithmeticTransformer.self,
    ])

    /// The names, sorted.
    public var names: [String] { types.keys.sorted() }
}
