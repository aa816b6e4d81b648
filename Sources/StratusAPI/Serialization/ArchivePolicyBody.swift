import Carbonara
import StratusCore

/// The bodies of `POST /v1/archive_policy` and `PATCH /v1/archive_policy/{name}`, validated as Gnocchi 4.7.1's
/// voluptuous schemas (`ArchivePolicySchema`, `ArchivePolicyDefinitionSchema`) and then its
/// `ArchivePolicy`/`ArchivePolicyItem` constructors, with the same messages.
///
/// Where a body has several faults, voluptuous reports the first in the body's key order; Stratus checks keys
/// in the schema's order (`name`, `back_window`, `aggregation_methods`, `definition`, then unknown keys) and
/// reports missing keys last, as voluptuous does.
enum ArchivePolicyBody {
    /// The largest `granularity × (back_window + 1)` span, in nanoseconds, that Stratus accepts (2⁶², about
    /// 146 years), so that raw-series boundaries never overflow.
    static let maximumBackWindowSpan: Int64 = 1 << 62

    /// One definition item as given: any of granularity / timespan (nanoseconds) and points.
    struct ItemFields: Sendable, Hashable {
        var granularity: Int64?
        var points: Int?
        var timespan: Int64?
    }

    /// A `POST` body that passed the schema.
    struct Creation: Sendable {
        var name: String
        var backWindow: Int
        var definition: [ItemFields]
        var aggregationMethods: [String]
    }

    /// A validated `PATCH` body.
    struct Update: Sendable {
        var definition: [ArchivePolicyItem]
        var backWindow: Int?
    }

    /// Validates a creation body into a policy.
    /// - Parameter defaultMethods: `[archive_policy] default_aggregation_methods`.
    /// - Throws: `APIError` 400: voluptuous' `{"cause": "Invalid input", …}` for schema faults, Gnocchi's plain
    ///   message for inconsistent items or repeated granularities.
    static func policy(from body: JSONValue, defaultMethods: [String]) throws(APIError) -> ArchivePolicy {
        let creation: Creation
        do {
            creation = try validateCreation(body, defaultMethods: defaultMethods)
        } catch {
            throw error.apiError
        }
        let definition = try items(creation.definition)
        try checkDuplicateGranularities(definition)
        try checkBackWindow(creation.backWindow, definition: definition)
        let defaults = Set(defaultMethods.compactMap { AggregationMethod($0) })
        do {
            var policy = try ArchivePolicy(
                name: creation.name, backWindow: creation.backWindow, definition: definition,
                aggregationMethods: creation.aggregationMethods, defaultMethods: defaults)
            // Gnocchi reads an empty method set back as the defaults.
            if policy.aggregationMethods.isEmpty { policy.aggregationMethods = defaults }
            return policy
        } catch {
            throw APIError(.badRequest, error.reason)
        }
    }

    /// Validates an update body.
    /// - Throws: `APIError` 400 as for creation.
    static func update(from body: JSONValue) throws(APIError) -> Update {
        let fields: [ItemFields]
        let backWindow: Int?
        do {
            (fields, backWindow) = try validateUpdate(body)
        } catch {
            throw error.apiError
        }
        let definition = try items(fields)
        if let backWindow {
            try checkBackWindow(backWindow, definition: definition)
        }
        return Update(definition: definition, backWindow: backWindow)
    }

    // MARK: - Schemas

    /// `ArchivePolicySchema`: `name` (str, required), `back_window` (default 0), `aggregation_methods`
    /// (default the configured ones), `definition` (required), nothing else.
    static func validateCreation(_ body: JSONValue, defaultMethods: [String]) throws(SchemaViolation) -> Creation {
        guard let object = body.objectValue else { throw .structure("expected a dictionary", at: []) }
        var name: String?
        if let value = object["name"] {
            name = try SchemaCoercion.string(value, at: [.key("name")])
        }
        let backWindow = try object["back_window"].map { v throws(SchemaViolation) in try backWindowValue(v) } ?? 0
        var methods = defaultMethods
        if let value = object["aggregation_methods"] {
            methods = try aggregationMethods(value)
        }
        let definition = try object["definition"].map { v throws(SchemaViolation) in try definitionFields(v) }
        try rejectUnknownKeys(object, known: ["name", "back_window", "aggregation_methods", "definition"], at: [])
        guard let name else { throw .structure("required key not provided", at: [.key("name")]) }
        guard let definition else { throw .structure("required key not provided", at: [.key("definition")]) }
        return Creation(name: name, backWindow: backWindow, definition: definition, aggregationMethods: methods)
    }

    /// The `PATCH` schema: `definition` (required), `back_window` (optional), nothing else.
    static func validateUpdate(_ body: JSONValue) throws(SchemaViolation) -> (definition: [ItemFields], backWindow: Int?) {
        guard let object = body.objectValue else { throw .structure("expected a dictionary", at: []) }
        let definition = try object["definition"].map { v throws(SchemaViolation) in try definitionFields(v) }
        let backWindow = try object["back_window"].map { v throws(SchemaViolation) in try backWindowValue(v) }
        try rejectUnknownKeys(object, known: ["definition", "back_window"], at: [])
        guard let definition else { throw .structure("required key not provided", at: [.key("definition")]) }
        return (definition, backWindow)
    }

    /// `extra keys not allowed` for the first key outside `known`, in sorted order.
    static func rejectUnknownKeys(
        _ object: [String: JSONValue], known: Set<String>, at path: [SchemaViolation.PathElement]
    ) throws(SchemaViolation) {
        if let extra = object.keys.filter({ !known.contains($0) }).sorted().first {
            throw .structure("extra keys not allowed", at: path + [.key(extra)])
        }
    }

    /// `All(Coerce(int), Range(min=0))`.
    static func backWindowValue(_ value: JSONValue) throws(SchemaViolation) -> Int {
        switch SchemaCoercion.integer(value) {
        case .value(let n):
            guard n >= 0 else { throw .value("value must be at least 0", at: [.key("back_window")]) }
            return n
        case .outOfRange:
            // Python keeps any integer; Stratus answers as the range check it then fails.
            throw .value("value must be at most \(Int.max)", at: [.key("back_window")])
        case .invalid:
            throw .value("expected int", at: [.key("back_window")])
        }
    }

    /// A list of the literal values of `VALID_AGGREGATION_METHODS_VALUES`: methods, `*`, `+m`, `-m`.
    static func aggregationMethods(_ value: JSONValue) throws(SchemaViolation) -> [String] {
        guard let items = value.arrayValue else {
            throw .value("expected a list", at: [.key("aggregation_methods")])
        }
        var methods: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue, isValidMethodSpecification(text) else {
                throw .structure("not a valid value", at: [.key("aggregation_methods"), .index(index)])
            }
            methods.append(text)
        }
        return methods
    }

    /// Whether `text` is `*`, a method, or a method prefixed with `+`/`-`.
    static func isValidMethodSpecification(_ text: String) -> Bool {
        if text == "*" { return true }
        let bare = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return AggregationMethod(bare) != nil
    }

    /// `All([{granularity: Timespan, points: All(Coerce(int), Range(min=1)), timespan: Timespan}], Length(min=1))`.
    static func definitionFields(_ value: JSONValue) throws(SchemaViolation) -> [ItemFields] {
        guard let items = value.arrayValue else { throw .value("expected a list", at: [.key("definition")]) }
        var fields: [ItemFields] = []
        for (index, item) in items.enumerated() {
            let path: [SchemaViolation.PathElement] = [.key("definition"), .index(index)]
            guard let object = item.objectValue else { throw .structure("expected a dictionary", at: path) }
            var result = ItemFields()
            if let value = object["granularity"] {
                result.granularity = try timespan(value, at: path + [.key("granularity")])
            }
            if let value = object["points"] {
                result.points = try points(value, at: path + [.key("points")])
            }
            if let value = object["timespan"] {
                result.timespan = try timespan(value, at: path + [.key("timespan")])
            }
            try rejectUnknownKeys(object, known: ["granularity", "points", "timespan"], at: path)
            fields.append(result)
        }
        guard !items.isEmpty else { throw .value("length of value must be at least 1", at: [.key("definition")]) }
        return fields
    }

    /// `All(Coerce(int), Range(min=1))`.
    static func points(_ value: JSONValue, at path: [SchemaViolation.PathElement]) throws(SchemaViolation) -> Int {
        switch SchemaCoercion.integer(value) {
        case .value(let n):
            guard n >= 1 else { throw .value("value must be at least 1", at: path) }
            return n
        case .outOfRange:
            throw .value("value must be at most \(Int.max)", at: path)
        case .invalid:
            throw .value("expected int", at: path)
        }
    }

    /// Gnocchi's `Timespan` validator (`utils.to_timespan`): seconds as a number or a numeric string, or a
    /// pytimeparse expression, strictly positive; in nanoseconds.
    static func timespan(_ value: JSONValue, at path: [SchemaViolation.PathElement]) throws(SchemaViolation) -> Int64 {
        let text: String
        switch value {
        case .null: throw .value("Invalid timespan", at: path)
        case .bool(let b): text = b ? "1" : "0"
        case .integer(let i): text = String(i)
        case .number(let d): text = d.isFinite ? "\(d)" : "nan"
        case .string(let s): text = s
        case .array, .object: throw .value(DurationError.unparsableReason, at: path)
        }
        let special = text.trimmingPythonWhitespace().lowercased().drop { $0 == "+" || $0 == "-" }
        if special == "nan" { throw .value("cannot convert float NaN to integer", at: path) }
        if special == "inf" || special == "infinity" { throw .value(DurationError.outOfRangeReason, at: path) }
        let nanoseconds: Int64
        do {
            nanoseconds = try Durations.parse(text)
        } catch {
            throw .value(error.reason, at: path)
        }
        guard nanoseconds > 0 else { throw .value("Timespan must be positive", at: path) }
        return nanoseconds
    }

    /// Builds the items in order, as Gnocchi's `ArchivePolicyItem(**item)`.
    /// - Throws: `APIError` 400 with the first item's plain message.
    static func items(_ fields: [ItemFields]) throws(APIError) -> [ArchivePolicyItem] {
        try fields.map { f throws(APIError) in try item(f) }
    }

    /// Gnocchi's `ArchivePolicyItem(granularity, points, timespan)` on validated values: any two of the three
    /// (granularity alone keeps every point); a derived granularity or point count is truncated, and the
    /// timespan recomputed as `granularity × points`.
    /// - Throws: `APIError` 400 with Gnocchi's plain message.
    static func item(_ fields: ItemFields) throws(APIError) -> ArchivePolicyItem {
        func fault(_ message: String) -> APIError { APIError(.badRequest, message) }
        if let g = fields.granularity, let p = fields.points, let t = fields.timespan {
            let (product, overflow) = g.multipliedReportingOverflow(by: Int64(p))
            if overflow || product != t { throw fault("timespan ≠ granularity × points") }
        }
        let granularity: Int64
        if let g = fields.granularity {
            granularity = g
        } else {
            guard let p = fields.points, let t = fields.timespan else {
                throw fault("At least two of granularity/points/timespan must be provided")
            }
            granularity = t / Int64(p)
            // Gnocchi accepts a zero granularity here (timespan shorter than `points` nanoseconds).
            guard granularity > 0 else { throw fault("Granularity should be > 0") }
        }
        var points = fields.points
        if points == nil, let t = fields.timespan {
            let derived = t / granularity
            guard derived > 0 else { throw fault("Calculated number of points is < 0") }
            points = Int(derived)
        }
        if let points, granularity.multipliedReportingOverflow(by: Int64(points)).overflow {
            throw fault(DurationError.outOfRangeReason)
        }
        return ArchivePolicyItem(granularity: granularity, points: points)
    }

    /// Gnocchi's check in `ArchivePolicy.__init__`: the first granularity (in definition order) given twice.
    static func checkDuplicateGranularities(_ items: [ArchivePolicyItem]) throws(APIError) {
        var counts: [Int64: Int] = [:]
        for item in items { counts[item.granularity, default: 0] += 1 }
        if let repeated = items.first(where: { counts[$0.granularity]! > 1 }) {
            throw APIError(
                .badRequest,
                "More than one archive policy uses granularity `\(Double(repeated.granularity) / 1e9)'")
        }
    }

    /// Stratus' bound on `back_window` (Gnocchi has none): the raw series keeps `back_window + 1` blocks of the
    /// coarsest granularity, which must stay within ``maximumBackWindowSpan``.
    static func checkBackWindow(_ backWindow: Int, definition: [ArchivePolicyItem]) throws(APIError) {
        guard let block = definition.map(\.granularity).max(), block > 0 else { return }
        let maximum = max(0, Int(maximumBackWindowSpan / block) - 2)
        if backWindow > maximum {
            throw SchemaViolation.value("value must be at most \(maximum)", at: [.key("back_window")]).apiError
        }
    }
}
