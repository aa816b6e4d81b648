/// A dynamic pollster's dotted attribute path (`value_attribute`, `metadata_fields`,
/// `resource_id_attribute`, …): `.` is the whole entry, `a.b.c` walks nested objects, as
/// Ceilometer's `reduce(operator.getitem, key.split("."))`. A segment that is a non-negative
/// integer also indexes a list (`links.0.href`), which Ceilometer cannot do.
struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The path as written.
    let text: String
    /// The segments; empty for `.`.
    let segments: [String]

    /// The `| operations` applied, in order, to the value found.
    let operations: [ValueExpression]

    /// Parses a path and its operations (`"size | value * 1024"`).
    /// - Throws: A reason when the path is empty, has an empty segment (`a..b`), or an
    ///   operation does not use `value` or is outside ``ValueExpression``'s subset.
    init(_ text: String) throws(AttributePathError) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingPathSpaces() }
        let path = parts[0]
        guard !path.isEmpty else {
            throw AttributePathError(reason: parts.count > 1 ? "'\(text)' has no path before '|'" : "the attribute path is empty")
        }
        var operations: [ValueExpression] = []
        for operation in parts.dropFirst() {
            guard operation.contains("value") else {
                throw AttributePathError(reason: "the operation '\(operation)' must use the variable 'value'")
            }
            operations.append(try ValueExpression.parse(operation))
        }
        self.operations = operations
        self.text = text.trimmingPathSpaces()
        if path == "." {
            segments = []
            return
        }
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else {
            throw AttributePathError(reason: "'\(text)' has an empty segment")
        }
        self.segments = segments
    }

    private init(text: String, segments: [String]) {
        self.text = text
        self.segments = segments
        self.operations = []
    }

    /// The path of one top-level key (`id`, `user_id`).
    static func key(_ key: String) -> AttributePath {
        AttributePath(text: key, segments: [key])
    }

    /// The value at this path in `node` with the operations applied; nil when a segment is
    /// missing (or walks into a value that is neither an object nor a list).
    /// - Throws: The reason an operation failed.
    func evaluate(in node: JSONNode) throws(AttributePathError) -> JSONNode? {
        guard var value = value(in: node) else { return nil }
        for operation in operations { value = try operation.evaluate(value) }
        return value
    }

    /// The value at this path in `node`, operations not applied; nil when a segment is missing
    /// (or walks into a value that is neither an object nor a list).
    func value(in node: JSONNode) -> JSONNode? {
        var current = node
        for segment in segments {
            switch current {
            case .object:
                guard let next = current[segment] else { return nil }
                current = next
            case .array(let items):
                guard let position = Int(segment), position >= 0, position < items.count else { return nil }
                current = items[position]
            default:
                return nil
            }
        }
        return current
    }

    var description: String { text }
}

/// Why an attribute path is invalid.
struct AttributePathError: Error, Sendable {
    var reason: String
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingPathSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
