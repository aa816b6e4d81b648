import Foundation
import Hummingbird
import NIOCore
import StratusCore
import StratusIndex
import StratusStorage

/// `POST /v1/batch/resources/metrics/measures[?create_metrics=true]`: measures of named metrics of several
/// resources, `{resource_id: {metric_name: [measures] | {"archive_policy_name"?, "unit"?, "measures": […]}}}`,
/// as Gnocchi 4.7.1's `ResourcesMetricsMeasuresBatchController`: all or nothing.
struct ResourceBatchRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/batch/resources/metrics/measures") { request, context in try await post(request, context) }
    }

    /// One metric's entry of the body.
    struct Entry {
        var name: String
        var archivePolicyName: String?
        var unit: String?
        var measures: PendingMeasures
    }

    /// One resource's entries.
    struct ResourceEntries {
        var original: String
        var id: UUID
        var metrics: [Entry]
    }

    /// 202 once every metric's measures are durable in incoming.
    ///
    /// In Gnocchi's order: 415; 400 for a body that is not JSON or not the schema (resource ids converted per
    /// creator); with `create_metrics`, missing metrics are created (archive policy rules apply) and resources
    /// that do not exist are reported as 400 `{"cause": "Unknown resources", "detail": [{"resource_id",
    /// "original_resource_id"}]}`; without it, 400 "Unknown metrics: <rid>/<name>, …" (sorted); 403 unless the
    /// caller may post measures to every metric.
    func post(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let createMetrics = try QueryParameters(request).bool("create_metrics", default: false)
        try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = try JSONRequestBody.parse(Array(buffer: buffer))
        let batch = try Self.decode(body, creator: identity.user, now: Timestamps.now())
        guard batch.contains(where: { !$0.metrics.isEmpty }) else { return MeasuresRoutes.accepted }

        let indexer = environment.core.indexer
        let ids = batch.filter { !$0.metrics.isEmpty }.map(\.id)
        // One lookup for every resource's metrics (and, when creating, one for which resources exist).
        var attached: [UUID: [String: Metric]] = [:]
        for metric in try await withIndexErrors({ try await indexer.activeMetrics(ofResources: ids) }) {
            guard let resource = metric.resourceId, let name = metric.name else { continue }
            attached[resource, default: [:]][name] = metric
        }
        let resourcesThere = createMetrics ? try await withIndexErrors { try await indexer.existingResources(ids) } : []
        var known: [(Metric, Entry)] = []
        var unknownMetrics: [String] = []
        var unknownResources: [JSONValue] = []
        for resource in batch where !resource.metrics.isEmpty {
            var existing = attached[resource.id] ?? [:]
            if createMetrics {
                let missing = resource.metrics.filter { existing[$0.name] == nil }
                if !missing.isEmpty {
                    guard resourcesThere.contains(resource.id) else {
                        unknownResources.append([
                            "resource_id": .string(resource.id.lowercaseText),
                            "original_resource_id": .string(resource.original),
                        ])
                        continue
                    }
                    for entry in missing {
                        existing[entry.name] = try await createMetric(entry, resource: resource.id, identity: identity)
                    }
                }
            } else {
                for entry in resource.metrics where existing[entry.name] == nil {
                    unknownMetrics.append("\(resource.id.lowercaseText)/\(entry.name)")
                }
            }
            for entry in resource.metrics {
                if let metric = existing[entry.name] { known.append((metric, entry)) }
            }
        }
        if !unknownResources.isEmpty {
            throw APIError(.badRequest, detail: ["cause": "Unknown resources", "detail": .array(unknownResources)])
        }
        if !unknownMetrics.isEmpty {
            throw APIError(.badRequest, "Unknown metrics: " + unknownMetrics.sorted().joined(separator: ", "))
        }
        for (metric, _) in known { try await environment.enforce(.postMeasures, identity, metric: metric) }

        var measures: [UUID: PendingMeasures] = [:]
        for (metric, entry) in known where !entry.measures.isEmpty { measures[metric.id] = entry.measures }
        if !measures.isEmpty {
            try await environment.core.incoming.add(measures)
            environment.wakeup?.signal()
        }
        return MeasuresRoutes.accepted
    }

    /// Creates a missing metric of a resource, as Gnocchi's `MetricSchema` then `create_metric`; a metric
    /// created concurrently under the same name is used instead.
    private func createMetric(_ entry: Entry, resource: UUID, identity: Identity) async throws -> Metric {
        if entry.name.contains("/") { throw APIError(.badRequest, "'/' is not supported in metric name") }
        let specs = try await environment.metricSpecs([
            entry.name: .create(archivePolicyName: entry.archivePolicyName, unit: entry.unit),
        ])
        guard case .create(let policy, let unit)? = specs[entry.name] else {
            throw APIError(.internalServerError, "Internal server error")
        }
        try PolicyRule.createMetric.enforce(identity, PolicyTarget(creator: identity.user))
        let metric = Metric(
            id: UUID(), name: entry.name, unit: unit, archivePolicyName: policy, creator: identity.user, resourceId: resource)
        do {
            try await environment.core.indexer.createMetric(metric)
            return metric
        } catch let error as IndexError where error.code == .metricAlreadyExists {
            let raced = try await environment.core.indexer.listMetrics(MetricQuery(names: [entry.name], resourceId: resource))
            guard let existing = raced.first else { throw APIError(.badRequest, error.message) }
            return existing
        } catch let error as IndexError where error.code != .database {
            throw APIError(.badRequest, error.message)
        }
    }

    /// Validates the body: `{resource id: {metric name: measures | {archive_policy_name?, unit?, measures}}}`,
    /// keys converted as resource ids of `creator`; measures validated as the metric measures routes do.
    /// - Throws: `APIError` 400 in voluptuous' wording.
    static func decode(_ body: JSONValue, creator: String, now: Int64) throws(APIError) -> [ResourceEntries] {
        guard case .object(let resources) = body else {
            throw SchemaViolation.structure("expected a dictionary", at: []).apiError
        }
        var result: [ResourceEntries] = []
        for key in resources.keys.sorted() {
            let id: UUID
            do {
                id = try ResourceIdentifier.uuid(key, creator: creator)
            } catch {
                throw APIError.invalidInput("\(error.description) @ data[\(PythonRepr.string(key))]", path: [key])
            }
            guard case .object(let metrics) = resources[key]! else {
                throw SchemaViolation.value("expected a dictionary", at: [.key(key)]).apiError
            }
            var entries: [Entry] = []
            for name in metrics.keys.sorted() {
                let path: [SchemaViolation.PathElement] = [.key(key), .key(name)]
                if name.utf8.contains(0) { throw SchemaViolation.structure("NUL characters are not allowed", at: path).apiError }
                var entry = Entry(name: name, measures: PendingMeasures())
                let list: JSONValue
                switch metrics[name]! {
                case .array:
                    list = metrics[name]!
                case .object(let definition):
                    for field in definition.keys.sorted() where !["archive_policy_name", "unit", "measures"].contains(field) {
                        throw SchemaViolation.structure("extra keys not allowed", at: path + [.key(field)]).apiError
                    }
                    do {
                        if let policy = definition["archive_policy_name"] {
                            entry.archivePolicyName = try SchemaCoercion.string(policy, at: path + [.key("archive_policy_name")])
                        }
                        if let unit = definition["unit"] { entry.unit = try SchemaCoercion.string(unit, at: path + [.key("unit")]) }
                    } catch {
                        throw error.apiError
                    }
                    guard let measures = definition["measures"] else {
                        throw SchemaViolation.structure("required key not provided", at: path + [.key("measures")]).apiError
                    }
                    list = measures
                default:
                    throw SchemaViolation.value("expected a list", at: path).apiError
                }
                do {
                    entry.measures = try MeasuresDecoder.decodeMeasures(ByteBuffer(bytes: list.serialized()), now: now)
                } catch {
                    let where_ = "@ data[\(PythonRepr.string(key))][\(PythonRepr.string(name))]"
                    throw APIError.invalidInput("\(error.reason) for dictionary value \(where_)", path: [key, name])
                }
                entries.append(entry)
            }
            result.append(ResourceEntries(original: key, id: id, metrics: entries))
        }
        return result
    }
}
