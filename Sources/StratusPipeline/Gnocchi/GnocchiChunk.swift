import NIOCore
import StratusCore

/// Samples ready for Gnocchi, grouped by resource then metric: the content of one
/// `POST /v1/batch/resources/metrics/measures` (reference B10). Several pipeline batches are
/// coalesced into one chunk while the previous request is in flight.
struct GnocchiChunk: Sendable {
    /// The measures of one metric.
    struct Metric: Sendable {
        var archivePolicy: String
        var unit: String
        var timestamps: [String] = []
        var values: [Double] = []
    }

    /// One resource: what creating it needs, and its metrics.
    struct Resource: Sendable {
        /// The index of its definition in `gnocchi_resources.yaml`.
        var definition: Int
        var userID: String?
        /// `project_id` and the mapped attributes (Ceilometer's `resource_extra`).
        var extra: [String: TelemetryValue]
        var metrics: [String: Metric] = [:]
        /// Metric names in arrival order.
        var metricOrder: [String] = []
    }

    /// Resources by id (`/` replaced by `_`).
    var resources: [String: Resource] = [:]
    /// Resource ids in arrival order.
    var order: [String] = []
    /// Samples held.
    var samples = 0

    var isEmpty: Bool { samples == 0 }

    /// Adds one measure, and merges the sample's `project_id` and mapped attributes into its
    /// resource's (a later sample's values win, as Ceilometer's `resource_extra.update`).
    mutating func add(
        resource id: String, definition: Int, userID: String?, metric name: String, archivePolicy: String, unit: String,
        timestamp: String, value: Double, sample: Sample, attributes: [(name: String, path: AttributePath)]
    ) {
        if resources[id] == nil {
            resources[id] = Resource(definition: definition, userID: userID, extra: [:])
            order.append(id)
        }
        Self.merge(
            into: &resources[id]!, metric: name, archivePolicy: archivePolicy, unit: unit, timestamp: timestamp, value: value,
            sample: sample, attributes: attributes)
        samples += 1
    }

    /// One in-place access to the resource for the whole update.
    private static func merge(
        into resource: inout Resource, metric name: String, archivePolicy: String, unit: String, timestamp: String, value: Double,
        sample: Sample, attributes: [(name: String, path: AttributePath)]
    ) {
        resource.add(metric: name, archivePolicy: archivePolicy, unit: unit, timestamp: timestamp, value: value)
        resource.extra["project_id"] = TelemetryValue(sample.projectID)
        for attribute in attributes {
            if let found = attribute.path.value(in: sample) { resource.extra[attribute.name] = found }
        }
    }

    /// Removes a resource and its measures; returns the number of measures removed.
    @discardableResult
    mutating func remove(resource id: String) -> Int {
        guard let removed = resources.removeValue(forKey: id) else { return 0 }
        order.removeAll { $0 == id }
        let count = removed.metrics.values.reduce(0) { $0 + $1.values.count }
        samples -= count
        return count
    }

    /// The request body, `{rid: {meter: {"archive_policy_name", "unit", "measures": [{timestamp, value}]}}}`,
    /// written straight into a buffer.
    func encode(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64 + samples * 64 + resources.count * 160)
        buffer.writeStaticString("{")
        var firstResource = true
        for id in order {
            guard let resource = resources[id], !resource.metricOrder.isEmpty else { continue }
            if !firstResource { buffer.writeStaticString(",") }
            firstResource = false
            JSONBytes.writeString(id, to: &buffer)
            buffer.writeStaticString(":{")
            for (index, name) in resource.metricOrder.enumerated() {
                guard let metric = resource.metrics[name] else { continue }
                if index > 0 { buffer.writeStaticString(",") }
                JSONBytes.writeString(name, to: &buffer)
                buffer.writeStaticString(":{\"archive_policy_name\":")
                JSONBytes.writeString(metric.archivePolicy, to: &buffer)
                buffer.writeStaticString(",\"unit\":")
                JSONBytes.writeString(metric.unit, to: &buffer)
                buffer.writeStaticString(",\"measures\":[")
                for position in metric.values.indices {
                    if position > 0 { buffer.writeStaticString(",") }
                    buffer.writeStaticString("{\"timestamp\":")
                    JSONBytes.writeString(metric.timestamps[position], to: &buffer)
                    buffer.writeStaticString(",\"value\":")
                    JSONBytes.writeDouble(metric.values[position], to: &buffer)
                    buffer.writeStaticString("}")
                }
                buffer.writeStaticString("]}")
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("}")
        return buffer
    }
}

extension GnocchiChunk.Resource {
    mutating func add(metric name: String, archivePolicy: String, unit: String, timestamp: String, value: Double) {
        if metrics[name] == nil {
            metrics[name] = GnocchiChunk.Metric(archivePolicy: archivePolicy, unit: unit)
            metricOrder.append(name)
        }
        Self.append(to: &metrics[name]!, timestamp: timestamp, value: value)
    }

    private static func append(to metric: inout GnocchiChunk.Metric, timestamp: String, value: Double) {
        metric.timestamps.append(timestamp)
        metric.values.append(value)
    }
}

/// JSON text straight into a `ByteBuffer` (the hot path of the HTTP publishers).
enum JSONBytes {
    /// A JSON string literal; a string needing no escape is copied as is.
    static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            var clean = true
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                clean = false
                break
            }
            buffer.writeInteger(UInt8(ascii: "\""))
            if clean {
                buffer.writeBytes(bytes)
            } else {
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                    case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                    case 0x0A: buffer.writeStaticString("\\n")
                    case 0x0D: buffer.writeStaticString("\\r")
                    case 0x09: buffer.writeStaticString("\\t")
                    case 0..<0x20:
                        let hex = Array("0123456789abcdef".utf8)
                        buffer.writeStaticString("\\u00")
                        buffer.writeInteger(hex[Int(byte >> 4)])
                        buffer.writeInteger(hex[Int(byte & 15)])
                    default: buffer.writeInteger(byte)
                    }
                }
            }
            buffer.writeInteger(UInt8(ascii: "\""))
        }
    }

    /// A finite number as Python's `repr` (`5.0`, `0.1`, `1e-05`); non-finite numbers are
    /// written as `null` (JSON has no NaN; callers drop them first).
    static func writeDouble(_ value: Double, to buffer: inout ByteBuffer) {
        guard value.isFinite else {
            buffer.writeStaticString("null")
            return
        }
        if value == 0, value.sign == .minus {
            buffer.writeStaticString("-0.0")
        } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
            buffer.writeString(String(Int64(value)))
            buffer.writeStaticString(".0")
        } else {
            buffer.writeString(value.description)
        }
    }
}
