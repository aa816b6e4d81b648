/// One point of a Gnocchi answer: `[timestamp, granularity, value]`.
public struct Datapoint: Sendable, Hashable {
    /// The timestamp text as Gnocchi wrote it.
    public var timestamp: String
    /// The granularity, in seconds.
    public var granularity: Double
    /// The value.
    public var value: Double

    /// Creates a point.
    public init(timestamp: String, granularity: Double, value: Double) {
        self.timestamp = timestamp
        self.granularity = granularity
        self.value = value
    }
}

/// What fetching a rule's statistics gave: points, or why there are none (the reason an alarm
/// enters `insufficient data` with, as Aodh words it).
public enum StatisticsResult: Sendable, Hashable {
    /// The points Gnocchi answered, all granularities.
    case points([Datapoint])
    /// The request failed: `resource <id> does not exists`, `alarm statistics retrieval failed: …`.
    case failure(String)
}
