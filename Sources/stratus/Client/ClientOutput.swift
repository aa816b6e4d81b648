import StratusAPI

/// What a client command prints, before it is rendered as a table or as JSON.
///
/// The two shapes of cliff, the OpenStack CLI framework gnocchiclient is built on: one object shown
/// as `Field | Value` rows (`ShowOne`), or rows under named columns (`Lister`).
enum ClientOutput {
    /// One object; its fields in the order given (cliff sorts them by name; so do the commands).
    case record([(name: String, value: JSONValue)])
    /// Rows under `columns`, each row one value per column; `footer` is printed after the table only.
    case list(columns: [String], rows: [[JSONValue]], footer: String = "")

    /// A record of `object`'s members, sorted by name.
    static func record(_ object: [String: JSONValue]) -> ClientOutput {
        .record(object.keys.sorted().map { ($0, object[$0]!) })
    }

    /// The text to print, ending in a newline.
    func rendered(as format: ClientOutputFormat) -> String {
        switch (self, format) {
        case (.record(let fields), .table):
            return TableRenderer.render(columns: ["Field", "Value"], rows: fields.map { [$0.name, Self.cell($0.value)] })
        case (.list(let columns, let rows, let footer), .table):
            let cells = rows.map { $0.map(Self.cell) }
            // cliff right-aligns the columns whose first value is a number.
            let numeric = rows.first.map { $0.map(\.isNumber) } ?? columns.map { _ in false }
            return TableRenderer.render(columns: columns, rows: cells, rightAligned: numeric) + footer
        case (.record(let fields), .json):
            return Self.json(.object(fields.map { ($0.name, Self.ordered($0.value)) }), indent: 0) + "\n"
        case (.list(let columns, let rows, _), .json):
            let objects = rows.map { row in Ordered.object(zip(columns, row).map { ($0, Self.ordered($1)) }) }
            return Self.json(.array(objects), indent: 0) + "\n"
        }
    }

    /// A value as cliff prints it in a table cell: Python's `str()` of the decoded JSON.
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .string(let text): text
        case .integer, .number, .array, .object: String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    /// JSON in the order given, indented by two spaces as Python's `json.dumps(…, indent=2)`.
    private indirect enum Ordered {
        case scalar(JSONValue)
        case array([Ordered])
        case object([(String, Ordered)])
    }

    private static func json(_ value: Ordered, indent: Int) -> String {
        let inner = String(repeating: " ", count: indent + 2), outer = String(repeating: " ", count: indent)
        switch value {
        case .scalar(let scalar):
            return String(decoding: scalar.serialized(), as: UTF8.self)
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + json($0, indent: indent + 2) }.joined(separator: ",\n") + "\n" + outer + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let lines = members.map { inner + json(.scalar(.string($0.0)), indent: 0) + ": " + json($0.1, indent: indent + 2) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + outer + "}"
        }
    }

    /// Nested objects without an order of their own are written with sorted keys.
    private static func ordered(_ value: JSONValue) -> Ordered {
        switch value {
        case .array(let items): .array(items.map(ordered))
        case .object(let members): .object(members.keys.sorted().map { ($0, ordered(members[$0]!)) })
        default: .scalar(value)
        }
    }
}

extension JSONValue {
    /// Whether the value is a JSON number.
    fileprivate var isNumber: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }
}
