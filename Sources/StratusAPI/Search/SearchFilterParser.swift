import StratusIndex

/// The `filter=` string form of resource queries (Gnocchi's `QueryStringSearchAttrFilter`), parsed into the JSON
/// query Gnocchi builds from it, then validated by `ResourceSearchSchema`.
///
/// Grammar (whitespace between tokens ignored):
/// ```
/// expr      := and-expr (("or" | "∨") and-expr)*
/// and-expr  := not-expr (("and" | "∧") not-expr)*
/// not-expr  := ("not" | "¬") not-expr | "(" expr ")" | condition
/// condition := attribute operator term
/// attribute := identifier | quoted | uuid
/// operator  := >= <= != > < = ≠ ≥ ≤ eq ne lt gt ge le in like   (not `==`, as in Gnocchi's string form)
/// term      := null | None | none | true | false | True | False | uuid | identifier | number | quoted | list
/// list      := "[" [term ("," term)*] "]"
/// ```
/// `identifier` is a letter then letters, digits and `_`; `number` is `[+-]?\d+(\.\d*)?([eE][+-]?\d+)?` (a float,
/// as in Gnocchi); `quoted` is `"…"` or `'…'` on one line, without escapes; `uuid` is 32 hexadecimal digits
/// with optional hyphens at the usual places. Keywords (`and`, `or`, `not`, `null`, `true`, …) end at a word
/// boundary — unlike pyparsing, `notes = 1` is the attribute `notes`, not `not es = 1`.
struct SearchFilterParser {
    /// A `filter=` string that does not follow the grammar: Gnocchi's "Invalid filter: …" with where and why.
    struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What was expected.
        var expected: String
        /// What was found (`end of text` at the end).
        var found: String
        /// Offset in Unicode scalars from the start of the filter.
        var offset: Int
        /// 1-based line and column.
        var line: Int
        var column: Int

        var description: String {
            "Invalid filter: Expected \(expected), found \(found)  (at char \(offset)), (line:\(line), col:\(column))"
        }

        /// Gnocchi's 400 answer.
        var apiError: APIError { APIError(.badRequest, description) }
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// Open parentheses, `not`s and brackets around the current position.
    private var depth = 0
    /// The deepest nesting accepted (as the JSON parser's limit, it keeps recursion off the stack's end).
    static let maximumDepth = 256

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Parses a filter into the JSON query Gnocchi builds from it (`{op: {attribute: value}}`, `{"and": […]}`, …).
    static func json(_ text: String) throws(SyntaxError) -> JSONValue {
        var parser = SearchFilterParser(text)
        let result = try parser.orExpression()
        parser.skipSpace()
        if !parser.atEnd { throw parser.error("end of text") }
        return result
    }

    /// Parses and validates a filter; the errors are Gnocchi's 400 answers.
    /// - Parameter creator: Whose non-UUID `id` values are converted.
    static func expression(_ text: String, creator: String?) throws(APIError) -> SearchExpression? {
        let query: JSONValue
        do { query = try json(text) } catch { throw error.apiError }
        return try ResourceSearchSchema.expression(query, creator: creator)
    }

    // MARK: - Expressions

    private mutating func orExpression() throws(SyntaxError) -> JSONValue {
        var operands = [try andExpression()]
        while keyword(["or", "∨"]) { operands.append(try andExpression()) }
        return operands.count == 1 ? operands[0] : .object(["or": .array(operands)])
    }

    private mutating func andExpression() throws(SyntaxError) -> JSONValue {
        var operands = [try notExpression()]
        while keyword(["and", "∧"]) { operands.append(try notExpression()) }
        return operands.count == 1 ? operands[0] : .object(["and": .array(operands)])
    }

    private mutating func notExpression() throws(SyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        if keyword(["not", "¬"]) { return .object(["not": try notExpression()]) }
        skipSpace()
        if peek == "(" {
            position += 1
            let inner = try orExpression()
            skipSpace()
            guard peek == ")" else { throw error("')'") }
            position += 1
            return inner
        }
        return try condition()
    }

    private mutating func condition() throws(SyntaxError) -> JSONValue {
        skipSpace()
        let start = position
        guard let left = try term(), case .string(let attribute) = left else {
            position = start
            throw error("an attribute name, a parenthesis or 'not'")
        }
        skipSpace()
        guard let op = comparisonOperator() else { throw error("a comparison operator") }
        skipSpace()
        guard let right = try term() else { throw error("a value") }
        return .object([op: .object([attribute: right])])
    }

    // MARK: - Terms

    private static let operators = [
        ">=", "<=", "!=", ">", "<", "=", "≠", "≥", "≤", "eq", "ne", "lt", "gt", "ge", "le", "in", "like",
    ]

    private mutating func comparisonOperator() -> String? {
        for op in Self.operators where matches(op) {
            position += op.unicodeScalars.count
            return op
        }
        return nil
    }

    /// One term, nil (position unchanged) when none starts here.
    private mutating func term() throws(SyntaxError) -> JSONValue? {
        guard let c = peek else { return nil }
        if c == "[" { return try list() }
        if c == "\"" || c == "'" { return try quoted(c) }
        if let uuid = uuidTerm() { return .string(uuid) }
        if Self.isLetter(c) {
            let word = identifier()
            switch word {
            case "null", "None", "none": return .null
            case "true", "True": return .bool(true)
            case "false", "False": return .bool(false)
            default: return .string(word)
            }
        }
        if let number = numberTerm() { return .number(number) }
        return nil
    }

    private mutating func list() throws(SyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1  // [
        var items: [JSONValue] = []
        skipSpace()
        if peek == "]" {
            position += 1
            return .array(items)
        }
        while true {
            skipSpace()
            guard let item = try term() else { throw error("a value") }
            items.append(item)
            skipSpace()
            if peek == "," {
                position += 1
                continue
            }
            guard peek == "]" else { throw error("',' or ']'") }
            position += 1
            return .array(items)
        }
    }

    private mutating func quoted(_ quote: Unicode.Scalar) throws(SyntaxError) -> JSONValue {
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while let c = peek, c != quote, c != "\n", c != "\r" {
            text.append(c)
            position += 1
        }
        guard peek == quote else {
            let end = position
            position = start
            var failure = error("a closing \(quote == "'" ? "\"'\"" : "'\"'")")
            failure.found = atEndOrNewline(end) ? "end of text" : failure.found
            failure.offset = end
            (failure.line, failure.column) = lineAndColumn(end)
            throw failure
        }
        position += 1
        return .string(String(text))
    }

    private func atEndOrNewline(_ index: Int) -> Bool {
        index >= scalars.count || scalars[index] == "\n" || scalars[index] == "\r"
    }

    private mutating func uuidTerm() -> String? {
        var index = position
        var out = String.UnicodeScalarView()
        func hex(_ n: Int) -> Bool {
            for _ in 0..<n {
                guard index < scalars.count, Self.isHex(scalars[index]) else { return false }
                out.append(scalars[index])
                index += 1
            }
            return true
        }
        func dash() {
            if index < scalars.count, scalars[index] == "-" {
                out.append("-")
                index += 1
            }
        }
        guard hex(8) else { return nil }
        for _ in 0..<3 {
            dash()
            guard hex(4) else { return nil }
        }
        dash()
        guard hex(12) else { return nil }
        position = index
        return String(out)
    }

    private mutating func identifier() -> String {
        var out = String.UnicodeScalarView()
        while let c = peek, Self.isWordCharacter(c) {
            out.append(c)
            position += 1
        }
        return String(out)
    }

    private mutating func numberTerm() -> Double? {
        var index = position
        func digits() -> Int {
            let start = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            return index - start
        }
        if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
        guard digits() > 0 else { return nil }
        if index < scalars.count, scalars[index] == "." {
            index += 1
            _ = digits()
        }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            let mark = index
            index += 1
            if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
            if digits() == 0 { index = mark }
        }
        var text = String(String.UnicodeScalarView(scalars[position..<index]))
        if text.hasSuffix(".") { text += "0" }
        guard let value = Double(text) else { return nil }
        position = index
        return value
    }

    /// One level deeper. - Throws: past `maximumDepth`.
    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            depth -= 1
            throw error("at most \(Self.maximumDepth) nested levels")
        }
    }

    // MARK: - Scanning

    private var atEnd: Bool { position >= scalars.count }
    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
    }

    private func matches(_ literal: String) -> Bool {
        var index = position
        for s in literal.unicodeScalars {
            guard index < scalars.count, scalars[index] == s else { return false }
            index += 1
        }
        return true
    }

    /// Consumes one of the keywords (whole words for the alphabetic ones), after whitespace.
    private mutating func keyword(_ candidates: [String]) -> Bool {
        skipSpace()
        for candidate in candidates where matches(candidate) {
            let end = position + candidate.unicodeScalars.count
            if let first = candidate.unicodeScalars.first, Self.isLetter(first), end < scalars.count,
               Self.isWordCharacter(scalars[end])
            {
                continue
            }
            position = end
            return true
        }
        return false
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    private static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        isLetter(c) || ("0"..."9").contains(c) || c == "_"
    }

    private static func isHex(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)
    }

    /// An error at the current position: what was expected and the word (or character) found there.
    private func error(_ expected: String) -> SyntaxError {
        let found: String
        if let c = peek {
            if Self.isWordCharacter(c) {
                var end = position
                while end < scalars.count, Self.isWordCharacter(scalars[end]) { end += 1 }
                found = PythonRepr.string(String(String.UnicodeScalarView(scalars[position..<end])))
            } else {
                found = PythonRepr.string(String(c))
            }
        } else {
            found = "end of text"
        }
        let (line, column) = lineAndColumn(position)
        return SyntaxError(expected: expected, found: found, offset: position, line: line, column: column)
    }

    private func lineAndColumn(_ offset: Int) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, scalars.count) where scalars[index] == "\n" {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }
}
