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
///
/// The measures and metrics are kept in two flat arrays, each metric's measures and each
/// resource's metrics chained by index: a chunk holds ~10,000 measures of ~5,000 metrics, and an
/// array or two per metric would be as many allocations as measures.
struct GnocchiChunk: Sendable {
    /// One measure, and the index of its metric's next one (-1: the last).
    struct Measure: Sendable {
        var timestamp: String
        var value: Double
        var next: Int32 = -1
    }

    /// One metric of a resource: its measures are `first`, then each one's `next`.
    struct Metric: Sendable {
        var name: String
        var archivePolicy: String
        var unit: String
        var first: Int32
        var last: Int32
        /// The index of the resource's next metric (-1: the last).
        var next: Int32 = -1
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
        /// Its first and last metric in the chunk's `metrics` (-1: none), chained in arrival order.
        var firstMetric: Int32 = -1
        var lastMetric: Int32 = -1
        /// Measures held.
        var samples = 0

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
    /// Every metric, in arrival order.
    private var metrics: [Metric] = []
    /// Every measure, in arrival order.
    private var measures: [Measure] = []
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
        attributesReadOnlyMetadata: Bool
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
                attributesReadOnlyMetadata: attributesReadOnlyMetadata))
            positions[id] = position
        }
        lastAdded = (id, position)
        let measure = Int32(measures.count)
        measures.append(Measure(timestamp: timestamp, value: value))
        if let metric = metric(named: name, of: position) {
            measures[Int(metrics[metric].last)].next = measure
            metrics[metric].last = measure
        } else {
            let metric = Int32(metrics.count)
            metrics.append(Metric(name: name, archivePolicy: archivePolicy, unit: unit, first: measure, last: measure))
            if resources[position].lastMetric >= 0 {
                metrics[Int(resources[position].lastMetric)].next = metric
            } else {
                resources[position].firstMetric = metric
            }
            resources[position].lastMetric = metric
        }
        resources[position].samples += 1
        resources[position].keepAttributes(of: sample)
        samples += 1
    }

    /// The index of the metric `name` of the resource at `position`, if it has it.
    private func metric(named name: String, of position: Int) -> Int? {
        // Few metrics per resource, and the latest is the likeliest: comparisons, not a lookup.
        let last = Int(resources[position].lastMetric)
        guard last >= 0 else { return nil }
        if metrics[last].name == name { return last }
        var metric = Int(resources[position].firstMetric)
        while metric >= 0, metric != last {
            if metrics[metric].name == name { return metric }
            metric = Int(metrics[metric].next)
        }
        return nil
    }

    /// The number of measures of each metric of resource `id`, in order (empty if the chunk lacks it).
    func measureCounts(of id: String) -> [Int] {
        guard let position = positions[id] else { return [] }
        var counts: [Int] = []
        var metric = Int(resources[position].firstMetric)
        while metric >= 0 {
            var count = 0
            var measure = Int(metrics[metric].first)
            while measure >= 0 {
                count += 1
                measure = Int(measures[measure].next)
            }
            counts.append(count)
            metric = Int(metrics[metric].next)
        }
        return counts
    }

    /// Removes a resource and its measures (they stay in the arrays, unreferenced); returns the number of measures removed.
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
            metrics.withUnsafeBufferPointer { metrics in
                measures.withUnsafeBufferPointer { measures in
                    for resource in resources.indices where resources[resource].firstMetric >= 0 {
                        if !firstResource { body.write(UInt8(ascii: ",")) }
                        firstResource = false
                        body.writeString(resources[resource].id)
                        body.write(":{")
                        var metric = Int(resources[resource].firstMetric)
                        var firstMetric = true
                        while metric >= 0 {
                            if !firstMetric { body.write(UInt8(ascii: ",")) }
                            firstMetric = false
                            body.writeString(metrics[metric].name)
                            body.write(":{\"archive_policy_name\":")
                            body.writeString(metrics[metric].archivePolicy)
                            body.write(",\"unit\":")
                            body.writeString(metrics[metric].unit)
                            body.write(",\"measures\":[{\"timestamp\":")
                            var measure = Int(metrics[metric].first)
                            while true {
                                body.writeString(measures[measure].timestamp)
                                body.write(",\"value\":")
                                body.writeDouble(measures[measure].value)
                                measure = Int(measures[measure].next)
                                guard measure >= 0 else { break }
                                body.write("},{\"timestamp\":")
                            }
                            body.write("}]}")
                            metric = Int(metrics[metric].next)
                        }
                        body.write(UInt8(ascii: "}"))
                    }
                }
            }
        }
        body.write(UInt8(ascii: "}"))
        return body.byteBuffer(allocator: allocator)
    }
}
