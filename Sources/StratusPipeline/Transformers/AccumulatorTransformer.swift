import StratusCore

/// `accumulator`: holds samples until `size` of them are buffered, then releases them all at the
/// next flush. With `retention_time` (seconds; a Stratus addition) the buffer is also released
/// when its oldest sample has been held that long. `size` below 1 passes samples through.
public struct AccumulatorTransformer: Transformer {
    let size: Int
    let retentionTime: Double?
    private(set) var samples: [Sample] = []
    private var firstHeldAt: Double?

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        try parameters.checkKeys(["size", "retention_time"], in: parameters.values, path: "")
        let size = try TransformerParameters.number(parameters.values["size"], path: "size") ?? 1
        guard size == size.rounded(), abs(size) < 1e9 else {
            throw TransformerParameterError(path: "size", reason: "must be an integer")
        }
        self.size = Int(size)
        retentionTime = try TransformerParameters.number(parameters.values["retention_time"], path: "retention_time")
        if let retentionTime, retentionTime <= 0 {
            throw TransformerParameterError(path: "retention_time", reason: "must be > 0 seconds")
        }
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        guard size >= 1 else { return sample }
        if samples.isEmpty { firstHeldAt = context.now }
        samples.append(sample)
        return nil
    }

    public mutating func flush(context: TransformerContext) -> [Sample] {
        let expired = retentionTime.map { retention in firstHeldAt.map { context.now - $0 >= retention } ?? false } ?? false
        guard !samples.isEmpty, samples.count >= size || expired else { return [] }
        defer {
            samples = []
            firstHeldAt = nil
        }
        return samples
    }
}
