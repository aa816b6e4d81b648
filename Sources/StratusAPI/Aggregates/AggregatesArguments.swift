import Carbonara
import Hummingbird
import StratusCore

/// The query arguments shared by `/v1/aggregates` and the deprecated `/v1/aggregation` routes, validated in
/// Gnocchi's `validate_qs` order: `needed_overlap`, `start`, `stop`, `granularity`, `fill`.
struct AggregatesArguments: Sendable {
    var start: Int64?
    var stop: Int64?
    /// The one granularity asked for, nil for every granularity the metrics share.
    var granularity: Int64?
    /// nil when not given.
    var neededOverlap: Double?
    /// nil: no fill, overlap checked.
    var fill: AggregatesFill?

    /// Reads the arguments.
    /// - Parameter defaultFill: `/v1/aggregates` fills with `dropna` when neither `fill` nor `needed_overlap` is
    ///   given; the deprecated routes do not.
    /// - Throws: `APIError` 400 `{"cause": "Argument value error", "detail": <name>, "reason": …}`.
    init(_ query: QueryParameters, now: Int64, defaultFill: AggregatesFill?) throws(APIError) {
        func argumentError(_ name: String, _ reason: String) -> APIError {
            APIError(.badRequest, detail: ["cause": "Argument value error", "detail": .string(name), "reason": .string(reason)])
        }
        var fillText = query.value("fill")
        let overlapText = query.value("needed_overlap")
        if fillText == nil && overlapText == nil, let defaultFill {
            fill = defaultFill
            fillText = nil
        }
        if let overlapText {
            guard let value = PythonFloatText.parse(overlapText) else { throw argumentError("needed_overlap", "Must be a number") }
            neededOverlap = value
        }
        start = try MeasuresRoutes.timestampArgument(query.value("start"), name: "start", now: now)
        stop = try MeasuresRoutes.timestampArgument(query.value("stop"), name: "stop", now: now)
        if let text = query.value("granularity") {
            do {
                granularity = try MeasuresRoutes.positiveTimespan(text)
            } catch {
                throw argumentError("granularity", error.reason)
            }
        }
        if let fillText {
            guard let parsed = AggregatesFill(fillText) else {
                throw argumentError("fill", "Must be a float, 'dropna', 'null', 'ffill', 'bfill', 'full_ffill' or 'full_bfill'")
            }
            fill = parsed
        }
    }
}

/// Python's `float(text)` for query arguments.
enum PythonFloatText {
    static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { PythonFloat.parse($0) }
    }
}

extension OperationNode {
    /// The operation tree a JSON body holds.
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .integer(i)
        case .number(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(OperationNode.init))
        case .object(let members): self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, OperationNode($0.value)) })
        }
    }

    /// The node as JSON, for error bodies (numbers as Gnocchi prints them: floats stay floats).
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let d): .number(d)
        case .string(let s): .string(s)
        case .list(let items): .array(items.map(\.json))
        case .object(let members): .object(Dictionary(members.map { ($0.0, $0.1.json) }, uniquingKeysWith: { _, b in b }))
        }
    }
}

extension AggregatesError {
    /// Gnocchi's 400 body for the error.
    var apiError: APIError {
        APIError(.badRequest, detail: ["cause": .string(cause), "reason": .string(reason), "detail": detail.json])
    }
}
