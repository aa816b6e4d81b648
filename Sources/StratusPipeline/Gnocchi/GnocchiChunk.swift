import NIOCore
import StratusCore

/// Samples ready for Gnocchi, grouped by resource then metric: the content of one
/// `POST /v1/batch/resources/metrics/measures` (reference B10). Several pipeline batches are
/// coalesced into one chunk while the previous request is in flight.
///
/// A resource's attributes (Ceilometer's `resource_extra`, `project_id` and the mapped attributes)
/// are the fold, in arrival order, of every sample's values (a later sample's values win). They
/// are needed once per chunk (to create or PATCH the resource), not once per sample, so the chunk
/// keeps the samples to fold and computes the attributes when asked; a sample whose inputs to the
/// attributes equal the previous kept sample's (same `project_id` and `resource_metadata`, when
/// the definition reads nothing else) would not change the fold and is not kept.
struct GnocchiChunk: Sendable {
    /// The measures of one metric.
    struct Metric: Sendable {
        var name: String
        var archivePolicy: String
        var unit: String
        var timestamps: [String] = []
        var values: [Double] = []
    }

    /// One resource: what creating it needs, and its metrics.
    struct Resource: Sendable {
        /// The resource id (`/` replaced by `_`).
        var id: String
        /// The index of its definition in `gnocchi_resources.yaml`.
        var definition: Int
        var userID: String?
        /// The definition's attributes.
        var attributes: [(name: String, path: AttributePath)]
        /// Whether the attributes read only `resource_metadata` (then equal metadata and project give equal attributes).
        var attributesReadOnlyMetadata: Bool
        /// The samples whose values make the attributes, in arrival order.
        var attributeSources: [Sample] = []
        /// Its metrics in arrival order.
        var metrics: [Metric] = []

        /// `project_id` and the mapped attributes: every kept sample's values, later ones winning.
        var extra: [String: TelemetryValue] {
            var extra: [String: TelemetryValue] = [:]
            for sample in attributeSources {
                extra["project_id"] = TelemetryValue(sample.projectID)
                for attribute in attributes {
                    if let found = attribute.path.value(in: sample) { extra[attribute.name] = found }
                }
            }
            return extra
        }

        /// Measures held.
        var samples: Int { metrics.reduce(0) { $0 + $1.values.count } }

        mutating func add(metric name: String, archivePolicy: String, unit: String, timestamp: String, value: Double) {
            // Few metrics per resource: a scan from the most recent is cheaper than hashing the name.
            var index = metrics.count - 1
            while index >= 0, metrics[index].name != name { index -= 1 }
            if index < 0 {
                metrics.append(Metric(name: name, archivePolicy: archivePolicy, unit: unit))
                index = metrics.count - 1
            }
            metrics[index].timestamps.append(timestamp)
            metrics[index].values.append(value)
        }

        mutating func keepAttributes(of sample: Sample) {
            if attributesReadOnlyMetadata, let last = attributeSources.last, last.projectID == sample.projectID,
               last.resourceMetadata == sample.resourceMetadata {
                return
            }
            attributeSources.append(sample)
        }
    }

    /// Resources in arrival order.
    private(set) var resources: [Resource] = []
    /// Positions in `resources` by id.
    private var positions: [String: Int] = [:]
    /// Samples held.
    private(set) var samples = 0

    var isEmpty: Bool { samples == 0 }

    /// The resource `id`, if the chunk holds it.
    func resource(_ id: String) -> Resource? {
        positions[id].map { resources[$0] }
    }

    /// Adds one measure, and the sample's `project_id` and mapped attributes to its resource's.
    mutating func add(
        resource id: String, definition: Int, userID: String?, metric name: String, archivePolicy: String, unit: String,
        timestamp: String, value: Double, sample: Sample, attributes: [(name: String, path: AttributePath)]
    ) {
        let position: Int
        if let known = positions[id] {
            position = known
        } else {
            position = resources.count
            let metadataOnly = attributes.allSatisfy { attribute in
                attribute.path.alternatives.allSatisfy { $0.first == "resource_metadata" }
            }
            resources.append(Resource(
                id: id, definition: definition, userID: userID, attributes: attributes, attributesReadOnlyMetadata: metadataOnly))
            positions[id] = position
        }
        resources[position].add(metric: name, archivePolicy: archivePolicy, unit: unit, timestamp: timestamp, value: value)
        resources[position].keepAttributes(of: sample)
        samples += 1
    }

    /// Removes a resource and its measures; returns the number of measures removed.
    @discardableResult
    mutating func remove(resource id: String) -> Int {
        guard let position = positions.removeValue(forKey: id) else { return 0 }
        let removed = resources.remove(at: position)
        for index in position..<resources.count { positions[resources[index].id] = index }
        samples -= removed.samples
        return removed.samples
    }

    /// The request body, `{rid: {meter: {"archive_policy_name", "unit", "measures": [{timestamp, value}]}}}`,
    /// written straight into a buffer.
    func encode(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64 + samples * 64 + resources.count * 160)
        buffer.writeStaticString("{")
        var firstResource = true
        for resource in resources where !resource.metrics.isEmpty {
            if !firstResource { buffer.writeStaticString(",") }
            firstResource = false
            JSONBytes.writeString(resource.id, to: &buffer)
            buffer.writeStaticString(":{")
            for (index, metric) in resource.metrics.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                JSONBytes.writeString(metric.name, to: &buffer)
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

    /// The decimal digits of an integer, without making a String.
    static func writeInteger(_ value: Int64, to buffer: inout ByteBuffer) {
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits and a sign
        withUnsafeMutableBytes(of: &digits) { raw in
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                end -= 1
                raw[end] = UInt8(ascii: "-")
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[end...]))
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
            writeInteger(Int64(value), to: &buffer)
            buffer.writeStaticString(".0")
        } else {
            buffer.writeString(value.description)
        }
    }
}
