import StratusCore

/// `aggregator`: merges the samples of one meter and resource (and of each distinct `user_id` /
/// `project_id` when that attribute has no policy) into one, released at the first flush after
/// `size` samples were received in all or after `retention_time` seconds since the first one.
///
/// The first sample of a key is converted with `source`/`target` as `unit_conversion`; later
/// ones add their scaled volume (gauge: the released value is the mean; delta: the sum;
/// cumulative: the latest). `timestamp` keeps the `first` (default) or `last` timestamp;
/// `user_id` and `project_id` `first`/`last` merge that attribute (unset: part of the key);
/// `resource_metadata` is `last` (default), `first` or `drop`.
public struct AggregatorTransformer: Transformer {
    enum Policy: String, Sendable {
        case first, last, drop
    }

    struct Entry: Sendable {
        var sample: Sample
        var count: Int
    }

    let rule: ConversionRule
    let size: Int?
    let retentionTime: Double?
    let keepsLastTimestamp: Bool
    let userPolicy: Policy?
    let projectPolicy: Policy?
    let metadataPolicy: Policy
    private(set) var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var initialTimestamp: Double?
    private var aggregated = 0

    public init(parameters: TransformerParameters) throws(TransformerParameterError) {
        let values = parameters.values
        try parameters.checkKeys(
            ["size", "retention_time", "project_id", "user_id", "resource_metadata", "timestamp", "source", "target"],
            in: values, path: "")
        rule = try ConversionRule(parameters)
        var size: Int?
        if let number = try TransformerParameters.number(values["size"], path: "size"), number != 0 {
            guard number == number.rounded(), number >= 1, number < 1e9 else {
                throw TransformerParameterError(path: "size", reason: "must be an integer >= 1")
            }
            size = Int(number)
        }
        var retention: Double?
        if let number = try TransformerParameters.number(values["retention_time"], path: "retention_time"), number != 0 {
            guard number > 0 else { throw TransformerParameterError(path: "retention_time", reason: "must be > 0 seconds") }
            retention = number
        }
        self.size = size == nil && retention == nil ? 1 : size
        retentionTime = retention
        keepsLastTimestamp = try TransformerParameters.choice(
            values["timestamp"], path: "timestamp", choices: ["first", "last"], default: "first") == "last"
        userPolicy = try TransformerParameters.choice(
            values["user_id"], path: "user_id", choices: ["first", "last"], default: nil).flatMap(Policy.init)
        projectPolicy = try TransformerParameters.choice(
            values["project_id"], path: "project_id", choices: ["first", "last"], default: nil).flatMap(Policy.init)
        metadataPolicy = Policy(rawValue: try TransformerParameters.choice(
            values["resource_metadata"], path: "resource_metadata", choices: ["first", "last", "drop"], default: "last")!)!
    }

    /// `name-resource_id-<unmerged attributes>`, `<undefined>` for a missing one.
    func key(of sample: Sample) -> String {
        var parts = [sample.name, sample.resourceID]
        if projectPolicy == nil { parts.append(sample.projectID ?? "<undefined>") }
        if userPolicy == nil { parts.append(sample.userID ?? "<undefined>") }
        return parts.joined(separator: "-")
    }

    public mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample? {
        let scaled = try rule.scaled(sample)
        if initialTimestamp == nil { initialTimestamp = sample.epochSeconds ?? context.now }
        aggregated += 1
        let key = key(of: sample)
        guard var entry = entries[key] else {
            var converted = try rule.convert(sample)
            if metadataPolicy == .drop { converted.resourceMetadata = [:] }
            entries[key] = Entry(sample: converted, count: 1)
            order.append(key)
            return nil
        }
        entry.count += 1
        if keepsLastTimestamp { entry.sample.timestamp = sample.timestamp }
        let current = entry.sample.numericVolume ?? 0
        entry.sample.volume = .double(sample.type == .cumulative ? scaled : current + scaled)
        if projectPolicy == .last { entry.sample.projectID = sample.projectID }
        if userPolicy == .last { entry.sample.userID = sample.userID }
        if metadataPolicy == .last { entry.sample.resourceMetadata = sample.resourceMetadata }
        entries[key] = entry
        return nil
    }

    public mutating func flush(context: TransformerContext) -> [Sample] {
        guard let initialTimestamp else { return [] }
        let expired = retentionTime.map { context.now - initialTimestamp > $0 } ?? false
        let full = size.map { aggregated >= $0 } ?? false
        guard full || expired else { return [] }
        let released = order.compactMap { key -> Sample? in
            guard let entry = entries[key] else { return nil }
            var sample = entry.sample
            if sample.type == .gauge, let volume = sample.numericVolume {
                sample.volume = .double(volume / Double(entry.count))
            }
            return sample
        }
        entries = [:]
        order = []
        aggregated = 0
        self.initialTimestamp = nil
        return released
    }
}
