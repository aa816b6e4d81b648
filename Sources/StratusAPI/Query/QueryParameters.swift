import Hummingbird

/// The query string of a request, decoded as WebOb decodes it for Gnocchi's controllers, with Gnocchi's
/// helpers over it: `strtobool` booleans, repeated parameters, pagination and sort specifications.
///
/// Names and values are form-decoded (`+` is a space, `%XX` escapes, invalid UTF-8 replaced by U+FFFD);
/// blank values are kept (`?details=` has `details` = `""`); pairs keep their order.
public struct QueryParameters: Sendable, Hashable {
    /// One `name=value` pair of the query string.
    public struct Pair: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every pair, in the order of the query string.
    public var pairs: [Pair]

    /// Parses a raw (still percent-encoded) query string; nil or empty gives no parameter.
    public init(query: String?) {
        var pairs: [Pair] = []
        for part in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = part.firstIndex(of: "=") {
                name = part[..<equals]
                value = part[part.index(after: equals)...]
            } else {
                name = part
                value = ""
            }
            // NUL cannot match anything stored (the PostgreSQL index cannot even hold it): keep it out of queries.
            let decoded = Self.formDecode(value).replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
            pairs.append(Pair(name: Self.formDecode(name), value: decoded))
        }
        self.pairs = pairs
    }

    /// The query parameters of a request.
    public init(_ request: Request) {
        self.init(query: request.uri.query)
    }

    /// Every value given for `name`, in order (`?groupby=a&groupby=b` gives `["a", "b"]`).
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// The last value given for `name` (as WebOb's `MultiDict` answers `params[name]`), nil when absent.
    public func value(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// Whether `name` is given at all, even blank.
    public func contains(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    /// Whether `name` is given more than once (Gnocchi's controllers then receive a list).
    public func isRepeated(_ name: String) -> Bool {
        pairs.lazy.filter { $0.name == name }.count > 1
    }

    /// The parameters as a single-valued lookup: the last value of each name.
    public var lastValues: [String: String] {
        var result: [String: String] = [:]
        for pair in pairs { result[pair.name] = pair.value }
        return result
    }

    // MARK: - Booleans

    /// A boolean parameter as Gnocchi's `get_bool_param`/`strtobool`, `default` when absent.
    /// - Throws: `APIError` 400 "Unable to parse \`name': Unrecognized value …" for anything else, or when
    ///   the parameter is repeated (Gnocchi then parses the printed list, which never matches).
    public func bool(_ name: String, default defaultValue: Bool) throws(APIError) -> Bool {
        let values = values(name)
        switch values.count {
        case 0: return defaultValue
        case 1: return try Self.strtobool(name, values[0])
        default: return try Self.strtobool(name, Self.pythonListRepr(values))
        }
    }

    /// The values `oslo_utils.strutils.bool_from_string` reads as true.
    public static let trueStrings: Set<String> = ["1", "t", "true", "on", "y", "yes"]
    /// The values `oslo_utils.strutils.bool_from_string` reads as false.
    public static let falseStrings: Set<String> = ["0", "f", "false", "off", "n", "no"]

    /// Gnocchi's `strtobool(varname, v)`: `bool_from_string(v, strict=True)`, case-insensitive, trimmed.
    /// - Throws: `APIError` 400 with Gnocchi's message for an unrecognised value.
    public static func strtobool(_ name: String, _ value: String) throws(APIError) -> Bool {
        let lowered = value.trimmingPythonWhitespace().lowercased()
        if trueStrings.contains(lowered) { return true }
        if falseStrings.contains(lowered) { return false }
        let acceptable = (trueStrings.union(falseStrings)).sorted().map { "'\($0)'" }.joined(separator: ", ")
        throw APIError(
            .badRequest,
            "Unable to parse `\(name)': Unrecognized value '\(value)', acceptable values are: \(acceptable)")
    }

    // MARK: - Pagination

    /// `limit`, `marker` and `sort` of a listing, validated as Gnocchi's `get_pagination_options`.
    public struct Pagination: Sendable, Hashable {
        /// The page size, clamped to `[1, max_limit]`; `max_limit` when not given.
        public var limit: Int
        /// Where the page starts, as given.
        public var marker: String?
        /// The sort specifications as given (`"name:desc"`), or the default ones.
        public var sorts: [String]
    }

    /// The pagination options, as Gnocchi's `get_pagination_options(params, default)`.
    /// - Parameters:
    ///   - maxLimit: `[api] max_limit`.
    ///   - defaultSorts: the sort used when `sort` is absent (`["id:asc"]` for metrics).
    /// - Throws: `APIError` 400 `{"cause": "Argument value error", "reason": …}` for a limit that is not an
    ///   integer ≥ 1 or a repeated `limit`/`marker`.
    public func pagination(maxLimit: Int, defaultSorts: [String]) throws(APIError) -> Pagination {
        func argumentError(_ reason: String) -> APIError {
            APIError(.badRequest, detail: ["cause": "Argument value error", "reason": .string(reason)])
        }
        var limit = maxLimit
        let limits = values("limit")
        if !limits.isEmpty {
            guard limits.count == 1, let parsed = Self.pythonInt(limits[0]) else {
                throw argumentError("expected int for dictionary value @ data['limit']")
            }
            guard parsed >= 1 else {
                throw argumentError("value must be at least 1 for dictionary value @ data['limit']")
            }
            limit = min(parsed, maxLimit)
        }
        let markers = values("marker")
        guard markers.count <= 1 else {
            throw argumentError("expected str for dictionary value @ data['marker']")
        }
        let sorts = values("sort")
        return Pagination(limit: limit, marker: markers.first, sorts: sorts.isEmpty ? defaultSorts : sorts)
    }

    // MARK: - Sorting

    /// One sort specification, `key[:direction]`, as Gnocchi's indexer splits it.
    public struct Sort: Sendable, Hashable {
        /// How null values are ordered, from the `-nullsfirst`/`-nullslast` suffix of the direction.
        public enum Nulls: String, Sendable, Hashable {
            case database = "", first = "nullsfirst", last = "nullslast"
        }

        /// The attribute, trimmed.
        public var key: String
        /// Ascending unless the direction is `desc…`.
        public var ascending: Bool
        /// Null ordering requested by the direction suffix.
        public var nulls: Nulls

        public init(key: String, ascending: Bool = true, nulls: Nulls = .database) {
            self.key = key
            self.ascending = ascending
            self.nulls = nulls
        }
    }

    /// Parses sort specifications as Gnocchi's `_build_sort_keys` and oslo.db's `paginate_query`: each
    /// `key[:dir]` with `dir` one of `asc`, `desc`, optionally suffixed `-nullsfirst`/`-nullslast` (default `asc`);
    /// the `unique` keys are appended ascending when absent. Keys are checked in order, each before its
    /// direction.
    /// - Parameters:
    ///   - specifications: the `sort` values (`Pagination.sorts`).
    ///   - validKeys: the attributes that may be sorted on.
    ///   - unique: keys that make the order total (`["id"]`).
    /// - Throws: `APIError` 400 "Invalid pagination: \`Sort key supplied is invalid: k'" or
    ///   "Invalid pagination: \`Unknown sort direction, must be one of: …'".
    public static func sorts(
        _ specifications: [String], validKeys: Set<String>, unique: [String] = []
    ) throws(APIError) -> [Sort] {
        var parsed: [(key: String, direction: String)] = specifications.map { spec in
            guard let colon = spec.firstIndex(of: ":") else { return (spec.trimmingPythonWhitespace(), "asc") }
            let direction = String(spec[spec.index(after: colon)...])
            return (String(spec[..<colon]).trimmingPythonWhitespace(), direction.isEmpty ? "asc" : direction)
        }
        for key in unique where !parsed.contains(where: { $0.key == key }) {
            parsed.append((key, "asc"))
        }
        var result: [Sort] = []
        for (key, direction) in parsed {
            guard validKeys.contains(key) else {
                throw APIError(.badRequest, "Invalid pagination: `Sort key supplied is invalid: \(key)'")
            }
            let parts = direction.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let main = parts[0]
            let nulls = Sort.Nulls(rawValue: parts.count > 1 ? String(parts[1]) : "")
            guard main == "asc" || main == "desc", let nulls else {
                throw APIError(
                    .badRequest,
                    "Invalid pagination: `Unknown sort direction, must be one of: "
                        + "asc-nullsfirst, asc-nullslast, desc-nullsfirst, desc-nullslast'")
            }
            result.append(Sort(key: key, ascending: main == "asc", nulls: nulls))
        }
        return result
    }

    // MARK: - Python conversions

    /// Python `int(text)` for a string: surrounding whitespace, an optional sign, decimal digits with single
    /// underscores between them. Nil when Python would raise, or beyond 64 bits.
    public static func pythonInt(_ text: String) -> Int? {
        var digits = Substring(text.trimmingPythonWhitespace())
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isNumber, digits.last != "_",
              !digits.contains("__") else { return nil }
        let plain = digits.filter { $0 != "_" }
        guard plain.allSatisfy({ $0.isASCII && $0.isNumber }), let magnitude = Int(plain) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Python's `str()` of a list of strings: `['a', 'b']`.
    static func pythonListRepr(_ values: [String]) -> String {
        "[" + values.map(PythonRepr.string).joined(separator: ", ") + "]"
    }

    /// `application/x-www-form-urlencoded` decoding, as Python's `unquote_plus` (errors replaced).
    static func formDecode(_ text: Substring) -> String {
        percentDecode(text, plusAsSpace: true)
    }

    /// Percent-decoding as Python's `unquote` (`plusAsSpace`: `unquote_plus`): malformed escapes are kept as
    /// they are, invalid UTF-8 becomes U+FFFD. Path segments are decoded with `plusAsSpace` false.
    static func percentDecode(_ text: Substring, plusAsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if utf8.count >= 2, let high = hexValue(utf8[utf8.startIndex]),
                   let low = hexValue(utf8[utf8.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    utf8 = utf8.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Python's `urllib.parse.quote(text)` (safe `/`): every byte of the UTF-8 form but letters, digits,
    /// `_.-~` and `/` as `%XX` (upper-case hex), as Gnocchi quotes its `Location` headers.
    static func pythonQuote(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
