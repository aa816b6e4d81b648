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

    /// What a resource's attributes are computed from when they read only `resource_metadata`:
    /// the sample's `project_id` and metadata.
    struct AttributeInputs: Sendable, Equatable {
        var projectID: String?
        var metadata: [String: TelemetryValue]
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

        /// The inputs of the attributes when one sample's make them all (no fold needed).
        var singleInputs: AttributeInputs? {
            guard attributesReadOnlyMetadata, attributeSources.count == 1 else { return nil }
            return AttributeInputs(projectID: attributeSources[0].projectID, metadata: attributeSources[0].resourceMetadata)
        }

        /// Whether the attributes are made by one sample whose inputs are `inputs` (then they are
        /// what `inputs` made before; with interned metadata, comparing is a pointer comparison).
        func madeOnlyBy(_ inputs: AttributeInputs) -> Bool {
            guard attributesReadOnlyMetadata, attributeSources.count == 1 else { return false }
            return attributeSources[0].projectID == inputs.projectID && attributeSources[0].resourceMetadata == inputs.metadata
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
    /// The resource of the last measure added.
    private var lastAdded: (id: String, position: Int)?

    var isEmpty: Bool { samples == 0 }

    /// The resource `id`, if the chunk holds it.
    func resource(_ id: String) -> Resource? {
        positions[id].map { resources[$0] }
    }

    /// Adds one measure, and the sample's `project_id` and mapped attributes to its resource's.
    mutating func add(
        resource id: String, definition: Int, userID: String?, metric name: String, archivePolicy: String, unit: String,
        timestamp: String, value: Double, sample: Sample, attributes: [(name: String, path: AttributePath)],
        attributesReadOnlyMetadata: Bool? = nil
    ) {
        let position: Int
        if let last = lastAdded, last.id == id {
            // A resource's samples mostly come together: a comparison instead of a lookup.
            position = last.position
        } else if let known = positions[id] {
            position = known
        } else {
            position = resources.count
            resources.append(Resource(
                id: id, definition: definition, userID: userID, attributes: attributes,
                attributesReadOnlyMetadata: attributesReadOnlyMetadata ?? Self.readOnlyMetadata(attributes)))
            positions[id] = position
        }
        lastAdded = (id, position)
        resources[position].add(metric: name, archivePolicy: archivePolicy, unit: unit, timestamp: timestamp, value: value)
        resources[position].keepAttributes(of: sample)
        samples += 1
    }

    /// Whether `attributes` read nothing but `resource_metadata`.
    static func readOnlyMetadata(_ attributes: [(name: String, path: AttributePath)]) -> Bool {
        attributes.allSatisfy { attribute in attribute.path.alternatives.allSatisfy { $0.first == "resource_metadata" } }
    }

    /// Removes a resource and its measures; returns the number of measures removed.
    @discardableResult
    mutating func remove(resource id: String) -> Int {
        guard let position = positions.removeValue(forKey: id) else { return 0 }
        let removed = resources.remove(at: position)
        lastAdded = nil
        for index in position..<resources.count { positions[resources[index].id] = index }
        samples -= removed.samples
        return removed.samples
    }

    /// The request body, `{rid: {meter: {"archive_policy_name", "unit", "measures": [{timestamp, value}]}}}`,
    /// written straight into memory.
    func encode(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var body = JSONBodyWriter(capacity: 64 + samples * 64 + resources.count * 160)
        body.write(UInt8(ascii: "{"))
        var firstResource = true
        // Through buffer pointers: the elements are read in place, not copied (retained) one by one.
        resources.withUnsafeBufferPointer { resources in
            for resource in resources.indices where !resources[resource].metrics.isEmpty {
                if !firstResource { body.write(UInt8(ascii: ",")) }
                firstResource = false
                body.writeString(resources[resource].id)
                body.write(":{")
                resources[resource].metrics.withUnsafeBufferPointer { metrics in
                    for index in metrics.indices {
                        if index > 0 { body.write(UInt8(ascii: ",")) }
                        body.writeString(metrics[index].name)
                        body.write(":{\"archive_policy_name\":")
                        body.writeString(metrics[index].archivePolicy)
                        body.write(",\"unit\":")
                        body.writeString(metrics[index].unit)
                        body.write(",\"measures\":[")
                        metrics[index].timestamps.withUnsafeBufferPointer { timestamps in
                            metrics[index].values.withUnsafeBufferPointer { values in
                                for position in timestamps.indices {
                                    body.write(position > 0 ? ",{\"timestamp\":" : "{\"timestamp\":")
                                    body.writeString(timestamps[position])
                                    body.write(",\"value\":")
                                    body.writeDouble(values[position])
                                    body.write(UInt8(ascii: "}"))
                                }
                            }
                        }
                        body.write("]}")
                    }
                }
                body.write(UInt8(ascii: "}"))
            }
        }
        body.write(UInt8(ascii: "}"))
        return body.byteBuffer(allocator: allocator)
    }
}
