import Foundation

/// Measures waiting in incoming for one metric, as parallel arrays in arrival order.
///
/// Timestamps are nanoseconds since the Unix epoch; they are neither sorted nor deduplicated:
/// metricd sorts and merges them when it aggregates.
public struct PendingMeasures: Sendable, Equatable {
    /// Timestamps in nanoseconds since the Unix epoch, one per value.
    public var timestamps: [Int64]
    /// Values, one per timestamp.
    public var values: [Double]

    /// Creates measures from parallel arrays (they must have the same length to be stored).
    public init(timestamps: [Int64] = [], values: [Double] = []) {
        self.timestamps = timestamps
        self.values = values
    }

    /// The number of measures.
    public var count: Int { self.timestamps.count }

    /// Whether there is no measure.
    public var isEmpty: Bool { self.timestamps.isEmpty }

    /// Appends `other` after these measures, keeping arrival order.
    public mutating func append(contentsOf other: PendingMeasures) {
        self.timestamps.append(contentsOf: other.timestamps)
        self.values.append(contentsOf: other.values)
    }
}

/// What metricd reads from one sack: the measures per metric, and the handles to delete once they
/// are aggregated.
public struct SackBatch: Sendable {
    /// The sack number.
    public var sack: Int
    /// Measures per metric, each in arrival order.
    public var measures: [UUID: PendingMeasures]
    /// Opaque handles of the durable incoming data read; pass them to ``IncomingDriver/delete(_:)``.
    public var handles: [IncomingHandle]

    /// Creates a batch.
    public init(sack: Int, measures: [UUID: PendingMeasures] = [:], handles: [IncomingHandle] = []) {
        self.sack = sack
        self.measures = measures
        self.handles = handles
    }

    /// The total number of measures in the batch.
    public var measureCount: Int { self.measures.values.reduce(0) { $0 + $1.count } }
}

/// Identifies durable incoming data (for the file driver, a sack's records in one log segment up
/// to an offset, or one batch file of an earlier version), optionally restricted to one metric's
/// records in it.
public struct IncomingHandle: Sendable, Hashable, CustomStringConvertible {
    /// The sack holding the data.
    public var sack: Int
    /// The driver's key of the data within the sack (for the file driver, `<segment>.log@<end>` or
    /// a batch file name).
    public var key: String
    /// When set, the handle covers only this metric's records; otherwise all of the data.
    public var metric: UUID?

    /// Creates a handle; only drivers need to.
    public init(sack: Int, key: String, metric: UUID? = nil) {
        self.sack = sack
        self.key = key
        self.metric = metric
    }

    public var description: String {
        if let metric { "\(self.sack)/\(self.key)[\(metric.uuidString.lowercased())]" } else { "\(self.sack)/\(self.key)" }
    }
}

/// Measures waiting to be processed, as reported by `GET /v1/status`.
public struct Backlog: Sendable, Equatable {
    /// The number of metrics having measures waiting.
    public var metrics: Int
    /// The total number of measures waiting.
    public var measures: Int
    /// The number of measures waiting per metric.
    public var perMetric: [UUID: Int]

    /// Creates a backlog report.
    public init(metrics: Int = 0, measures: Int = 0, perMetric: [UUID: Int] = [:]) {
        self.metrics = metrics
        self.measures = measures
        self.perMetric = perMetric
    }
}

/// Where the API puts measures and metricd takes them from: a fixed number of sacks, each holding
/// the measures of the metrics whose id falls in it.
///
/// Contract shared by every driver:
/// - ``add(_:)`` returns only once the measures are durable; it is all-or-nothing only as far as the
///   caller validated them first.
/// - Reads return only durable data, in arrival order per metric, and never fail on damaged data:
///   damage is logged and the intact part returned.
/// - ``delete(_:)`` removes exactly the data covered by the handles and tolerates data already gone.
/// - Callers hold the sack's lock around read → aggregate → delete, so no two processors consume
///   the same sack at once.
public protocol IncomingDriver: Sendable {
    /// The number of sacks, fixed at initialization.
    var sackCount: Int { get }

    /// The sack of a metric: its id as a 128-bit big-endian integer modulo ``sackCount``.
    func sack(of metric: UUID) -> Int

    /// Stores measures of several metrics and returns once they are durable.
    /// - Throws: ``IncomingError`` when the measures are malformed or could not be stored.
    func add(_ measures: [UUID: PendingMeasures]) async throws

    /// Reads everything currently durable in a sack.
    /// - Throws: ``IncomingError`` when the sack cannot be listed or read.
    func read(sack: Int) async throws -> SackBatch

    /// Reads only one metric's measures from its sack; the handles cover only that metric's data.
    /// - Throws: ``IncomingError`` when the sack cannot be listed or read.
    func read(metric: UUID) async throws -> SackBatch

    /// Removes the data covered by the handles, once its measures are aggregated and stored.
    /// - Throws: ``IncomingError`` when the data cannot be removed.
    func delete(_ handles: [IncomingHandle]) async throws

    /// Counts the measures waiting in every sack.
    /// - Throws: ``IncomingError`` when a sack cannot be read.
    func backlog() async throws -> Backlog

    /// The sacks holding at least one batch of measures, in increasing order.
    /// - Throws: ``IncomingError`` when a sack cannot be listed.
    func sacksWithMeasures() async throws -> [Int]
}

extension IncomingDriver {
    /// The sack of a metric, as Gnocchi computes it (`metric.id.int % NUM_SACKS`).
    public func sack(of metric: UUID) -> Int {
        IncomingSacks.sack(of: metric, sackCount: self.sackCount)
    }
}
