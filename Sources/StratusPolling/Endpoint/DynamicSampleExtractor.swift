import StratusCore

/// Turns one response of a dynamic pollster's URL into samples (Ceilometer's
/// `PollsterSampleGatherer` and `SimplePollsterSampleExtractor`), without I/O.
struct DynamicSampleExtractor: Sendable {
    /// What one response gave.
    struct Page: Sendable {
        /// The samples, in entry order.
        var samples: [Sample] = []
        /// Entries left out because their value is in `skip_sample_values`.
        var skipped = 0
        /// Entries left out because something needed is missing or not a number, with the reason.
        var problems: [String] = []
        /// The next page's URL (`next_sample_url_attribute`), resolved against the endpoint.
        var nextURL: String?
    }

    let definition: DynamicPollsterDefinition

    /// The body as JSON values, trying the definition's response handlers in order.
    func decode(_ body: [UInt8]) throws(EndpointError) -> JSONNode {
        var failures: [String] = []
        for handler in definition.responseHandlers {
            switch handler {
            case .json:
                do {
                    return try JSONNodeParser.parse(body)
                } catch {
                    failures.append("json: \(error)")
                }
            case .text:
                return .array([.object([(key: "out", value: .string(String(decoding: body, as: UTF8.self)))])])
            }
        }
        throw EndpointError(.invalidResponse, "the response is not valid: " + failures.joined(separator: "; "))
    }

    /// The samples of one decoded response.
    /// - Parameters:
    ///   - response: The decoded body.
    ///   - endpoint: The endpoint the request was for (or the full `url_path`): Ceilometer joins
    ///     a relative next-page URL to it.
    func extract(_ response: JSONNode, endpoint: String) -> Page {
        var page = Page()
        let entries: [JSONNode]
        switch entriesValue(response) {
        case .success(let found): entries = found
        case .failure(let reason):
            page.problems.append(reason)
            return page
        }
        for entry in entries {
            let results = definition.multiMetric.map { samples(from: entry, multiMetric: $0) } ?? [sample(from: entry)]
            for result in results {
                switch result {
                case .sample(let made): page.samples.append(made)
                case .skipped: page.skipped += 1
                case .problem(let reason): page.problems.append(reason)
                }
            }
        }
        if !entries.isEmpty, let attribute = definition.nextSampleURLAttribute,
           let next = try? attribute.evaluate(in: response), case .string(let text) = next, !text.isEmpty
        {
            page.nextURL = URLReference.hasAuthority(text)
                ? text : URLReference.join(endpoint.hasSuffix("/") ? endpoint : endpoint + "/", text)
        }
        return page
    }

    enum EntriesResult {
        case success([JSONNode])
        case failure(String)
    }

    /// The entries of a response: the response itself when it is a list, else the value at
    /// `response_entries_key` (default: the first key), a single entry when it is not a list.
    func entriesValue(_ response: JSONNode) -> EntriesResult {
        if case .array(let items) = response { return .success(items) }
        let key: AttributePath
        if let configured = definition.responseEntriesKey {
            key = configured
        } else {
            guard case .object(let members) = response else { return .success([response]) }
            guard let first = members.first else { return .success([]) }
            key = .key(first.key)
        }
        let found: JSONNode?
        do {
            found = try key.evaluate(in: response)
        } catch {
            return .failure("response_entries_key '\(key)': \(error.reason)")
        }
        guard let value = found else {
            return .failure("response_entries_key '\(key)' is not in the response")
        }
        switch value {
        case .array(let items): return .success(items)
        case .null: return .success([])
        default: return .success([value])
        }
    }

    enum EntryResult {
        case sample(Sample)
        case skipped
        case problem(String)
    }

    /// The samples of one entry of a multi-metric pollster: one per item of the entry's list,
    /// named with the item's attribute, valued by its field; `skip_sample_values` drops items
    /// by value or by name; `value_mapping` does not apply (as in Ceilometer).
    func samples(from entry: JSONNode, multiMetric: DynamicPollsterDefinition.MultiMetric) -> [EntryResult] {
        guard case .array(let items)? = entry[multiMetric.listKey] else {
            return [.problem("value_attribute '[\(multiMetric.listKey)]' is not a list in the entry")]
        }
        let placeholder = "{\(multiMetric.nameAttribute)}"
        return items.map { item -> EntryResult in
            guard let subName = item[multiMetric.nameAttribute], subName != .null else {
                return .problem("a '\(multiMetric.listKey)' item has no '\(multiMetric.nameAttribute)'")
            }
            guard let raw = try? multiMetric.valuePath.evaluate(in: item) else {
                return .problem("a '\(multiMetric.listKey)' item has no '\(multiMetric.valuePath)'")
            }
            if definition.skipSampleValues.contains(where: { PythonEquality.equal($0, raw) || PythonEquality.equal($0, subName) }) {
                return .skipped
            }
            let name = definition.name.hasSuffix(placeholder)
                ? String(definition.name.dropLast(placeholder.count)) + subName.pythonString : definition.name
            return build(entry: entry, name: name, raw: raw, value: raw)
        }
    }

    /// One entry's sample.
    func sample(from entry: JSONNode) -> EntryResult {
        let found: JSONNode?
        do {
            found = try definition.valueAttribute.evaluate(in: entry)
        } catch {
            return .problem("value_attribute '\(definition.valueAttribute)': \(error.reason)")
        }
        guard let raw = found else {
            return .problem("value_attribute '\(definition.valueAttribute)' is not in the entry")
        }
        if definition.skipSampleValues.contains(where: { PythonEquality.equal($0, raw) }) { return .skipped }
        var value = raw
        if !definition.valueMapping.isEmpty {
            value = definition.valueMapping.first(where: { PythonEquality.equal($0.from, raw) })?.to ?? definition.defaultValue
        }
        return build(entry: entry, name: definition.name, raw: raw, value: value)
    }

    /// The sample of an entry whose value is known.
    func build(entry: JSONNode, name: String, raw: JSONNode, value: JSONNode) -> EntryResult {
        guard let volume = Self.volume(value) else {
            return .problem(
                "value \(raw.pythonString) at '\(definition.valueAttribute)' is \(value.kind), not a number"
                    + (definition.valueMapping.isEmpty ? " (map it with value_mapping)" : ""))
        }
        let resourceID = try? definition.resourceIDAttribute.evaluate(in: entry)
        guard let resourceID, resourceID != .null else {
            return .problem("resource_id_attribute '\(definition.resourceIDAttribute)' is not in the entry")
        }
        var metadata: [String: TelemetryValue] = [:]
        for field in definition.metadataFields {
            metadata[field.text] = ((try? field.evaluate(in: entry)) ?? nil)?.telemetryValue ?? .null
        }
        for key in definition.metadataFields.map(\.text) {
            guard let renamed = definition.metadataMapping[key] else { continue }
            metadata[renamed] = metadata[key]
            if !definition.preserveMappedMetadata, renamed != key { metadata[key] = nil }
        }
        return .sample(Sample(
            name: name, type: definition.sampleType, unit: definition.unit, volume: volume,
            userID: Self.identifier((try? definition.userIDAttribute.evaluate(in: entry)) ?? nil),
            projectID: Self.identifier((try? definition.projectIDAttribute.evaluate(in: entry)) ?? nil),
            resourceID: resourceID.pythonString,
            resourceMetadata: metadata))
    }

    /// A value as a sample volume: numbers as they are, booleans as 0 or 1, strings holding a
    /// number as that number; nil for anything else.
    static func volume(_ value: JSONNode) -> TelemetryValue? {
        switch value {
        case .number(let text):
            if let integer = Int64(text) { return .int(integer) }
            guard let number = Double(text), number.isFinite else { return nil }
            return .double(number)
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .string:
            guard let number = value.doubleValue, number.isFinite else { return nil }
            return .double(number)
        default: return nil
        }
    }

    /// An id attribute: nil when missing or null, else its text.
    static func identifier(_ value: JSONNode?) -> String? {
        guard let value, value != .null else { return nil }
        return value.pythonString
    }
}

/// Python's `==` between values read from YAML definitions and from JSON responses: numbers
/// compare by value (`1 == 1.0`), booleans equal 1 and 0, strings compare exactly.
enum PythonEquality {
    static func equal(_ lhs: JSONNode, _ rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case let (.number(a), .number(b)):
            if a == b { return true }
            guard let x = Double(a), let y = Double(b) else { return false }
            return x == y
        case let (.bool(flag), .number(text)), let (.number(text), .bool(flag)):
            return Double(text) == (flag ? 1 : 0)
        default:
            return lhs == rhs
        }
    }
}
