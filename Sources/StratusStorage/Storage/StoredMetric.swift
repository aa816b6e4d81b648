import Carbonara
import Logging

/// A metric's stored data with every split still encoded: only what is read or changed gets decoded.
public struct StoredMetric: Sendable, Hashable {
    /// The raw (unaggregated) series, `SeriesCodec` bytes with nanosecond timestamps; nil when none.
    public var raw: [UInt8]?
    /// Encoded splits per aggregate and split key (nanoseconds).
    public var splits: [AggregateKey: [Int64: [UInt8]]]

    public init(raw: [UInt8]? = nil, splits: [AggregateKey: [Int64: [UInt8]]] = [:]) {
        self.raw = raw
        self.splits = splits
    }

    /// The stored raw series; nil when absent or unreadable (logged, and rebuilt by the next processing).
    public func rawSeries(metric: String, logger: Logger) -> TimeSeries? {
        guard let raw else { return nil }
        do {
            let decoded = try SeriesCodec.decode(raw)
            return TimeSeries(timestamps: decoded.timestamps, values: decoded.values)
        } catch {
            logger.error("Corrupt raw series, rebuilding it", metadata: ["metric.id": "\(metric)", "error": "\(error)"])
            return nil
        }
    }

    /// Decodes the splits of one aggregate into a `MetricSplits`, skipping (and logging) unreadable splits.
    public func decodedSplits(_ key: AggregateKey, metric: String, logger: Logger) -> [Int64: TimeSeries] {
        var result = [Int64: TimeSeries]()
        for (splitKey, bytes) in splits[key] ?? [:] {
            do {
                result[splitKey] = try Self.decodeSplit(bytes, key: splitKey, granularity: key.granularity)
            } catch {
                logger.error("Corrupt split ignored", metadata: [
                    "metric.id": "\(metric)", "aggregate": "\(key)", "split.key": "\(splitKey)", "error": "\(error)",
                ])
            }
        }
        return result
    }

    /// The visible points of one aggregate (all its splits, truncated to `timespan` from the newest point).
    /// `mean` is not stored when the policy also has `sum` and `count`: it is `sum / count` bucket by bucket,
    /// which is exactly how it is computed (a sequential sum divided by the count), so it is derived here.
    public func read(_ key: AggregateKey, timespan: Int64?, metric: String, logger: Logger) -> TimeSeries {
        if splits[key] == nil, key.method == Self.mean {
            let sumKey = AggregateKey(method: Self.sum, granularity: key.granularity)
            let countKey = AggregateKey(method: Self.count, granularity: key.granularity)
            if splits[sumKey] != nil, splits[countKey] != nil {
                let sums = read(sumKey, timespan: timespan, metric: metric, logger: logger)
                let counts = read(countKey, timespan: timespan, metric: metric, logger: logger)
                if sums.timestamps == counts.timestamps {
                    return TimeSeries(timestamps: sums.timestamps, values: zip(sums.values, counts.values).map { $0 / $1 })
                }
                logger.error("Sum and count splits disagree, mean unavailable", metadata: ["metric.id": "\(metric)"])
                return TimeSeries()
            }
        }
        return MetricSplits(splits: [key: decodedSplits(key, metric: metric, logger: logger)]).read(key, timespan: timespan)
    }

    static let mean = AggregationMethod(.mean)
    static let sum = AggregationMethod(.sum)
    static let count = AggregationMethod(.count)

    /// Whether a policy's `mean` is stored as `sum / count` instead of splits of its own.
    public static func derivesMean(_ methods: Set<AggregationMethod>) -> Bool {
        methods.contains(mean) && methods.contains(sum) && methods.contains(count)
    }

    /// Encodes a split: timestamps as offsets from the key in granularity units (nanoseconds when a timestamp
    /// is not aligned), then `SeriesCodec`.
    public static func encodeSplit(_ series: TimeSeries, key: Int64, granularity: Int64) -> [UInt8] {
        let aligned = series.timestamps.allSatisfy { ($0 - key) % granularity == 0 }
        let unit = aligned ? granularity : 1
        let offsets = series.timestamps.map { ($0 - key) / unit }
        var out: [UInt8] = [aligned ? 0 : 1]
        out.append(contentsOf: SeriesCodec.encode(timestamps: offsets, values: series.values))
        return out
    }

    /// Decodes what `encodeSplit` wrote.
    public static func decodeSplit(_ bytes: [UInt8], key: Int64, granularity: Int64) throws -> TimeSeries {
        guard let flag = bytes.first, flag <= 1 else {
            throw StorageError(code: .corrupt, message: "unknown split unit flag")
        }
        let unit = flag == 0 ? granularity : 1
        let decoded = try SeriesCodec.decode(Array(bytes.dropFirst()))
        return TimeSeries(timestamps: decoded.timestamps.map { key + $0 * unit }, values: decoded.values)
    }
}

extension StoredMetric {
    static let blobVersion: UInt8 = 1

    /// Serialises the metric into one blob (see docs/storage-format.md, "Metric blob").
    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(Self.blobVersion)
        w.blob(raw ?? [])
        w.varint(UInt64(splits.count))
        for key in splits.keys.sorted() {
            let parts = splits[key]!
            w.string(key.method.name)
            w.signed(key.granularity)
            w.varint(UInt64(parts.count))
            for splitKey in parts.keys.sorted() {
                w.signed(splitKey)
                w.blob(parts[splitKey]!)
            }
        }
        return w.bytes
    }

    /// Parses a blob; on damage, keeps everything read before it and reports the damage in `damage`.
    static func decode(_ bytes: [UInt8], path: String) -> (metric: StoredMetric, damage: StorageError?) {
        var metric = StoredMetric()
        var r = ByteReader(bytes, path: path)
        do {
            guard try r.byte() == blobVersion else {
                throw StorageError(code: .corrupt, message: "unknown metric blob version", path: path)
            }
            let raw = try r.blob()
            metric.raw = raw.isEmpty ? nil : Array(raw)
            let aggregates = try r.count(limit: bytes.count)
            for _ in 0..<aggregates {
                let name = try r.string()
                let granularity = try r.signed()
                guard let method = AggregationMethod(name), granularity > 0 else {
                    throw StorageError(code: .corrupt, message: "invalid aggregate \(name)", path: path)
                }
                let key = AggregateKey(method: method, granularity: granularity)
                let count = try r.count(limit: bytes.count)
                var parts = [Int64: [UInt8]]()
                for _ in 0..<count {
                    let splitKey = try r.signed()
                    parts[splitKey] = Array(try r.blob())
                }
                metric.splits[key] = parts
            }
            return (metric, nil)
        } catch let error as StorageError {
            return (metric, error)
        } catch {
            return (metric, StorageError(code: .corrupt, message: "\(error)", path: path))
        }
    }
}
