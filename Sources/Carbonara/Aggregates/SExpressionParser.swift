/// The S-expression form of `/v1/aggregates` operations, read as Gnocchi 4.7.1 reads it:
/// `pyparsing.OneOrMore(pyparsing.nestedExpr()).parseString(text).asList()[0]`.
///
/// Tokens are runs of characters other than whitespace and parentheses; a quoted string (`"…"` or `'…'` on
/// one line, backslash escapes) is one token and keeps its quotes. Only the first expression counts: text after
/// it is ignored, as pyparsing does without `parseAll`. Every token is a string; numbers are coerced later.
public enum SExpressionParser {
    /// Parses the first parenthesised expression of `text`.
    /// - Throws: `AggregatesError` (`unparsableOperations`) with pyparsing's message, such as
    ///   `Expected ')', found end of text  (at char 31), (line:1, col:32)`.
    public static func parse(_ text: String) throws(AggregatesError) -> OperationNode {
        let chars = Array(text.unicodeScalars)
        var index = 0
        skipWhitespace(chars, &index)
        guard index < chars.count, chars[index] == "(" else {
            throw failure("Expected '('", at: index, in: chars)
        }
        return try parseList(chars, &index, depth: 0)
    }

    /// How deeply lists may nest (the JSON form's parser stops at 512; trees this deep are no real query).
    public static let maximumDepth = 128

    private static func parseList(_ chars: [Unicode.Scalar], _ index: inout Int, depth: Int) throws(AggregatesError) -> OperationNode {
        guard depth < maximumDepth else {
            throw AggregatesError(
                code: .unparsableOperations, cause: "Invalid operations", reason: "Fail to parse the operations string",
                detail: .string("Operations nested more than \(maximumDepth) levels deep  (at char \(index))"))
        }
        index += 1 // "("
        var items = [OperationNode]()
        while true {
            skipWhitespace(chars, &index)
            guard index < chars.count else { throw failure("Expected ')'", at: index, in: chars) }
            let c = chars[index]
            if c == ")" {
                index += 1
                return .list(items)
            }
            if c == "(" {
                items.append(try parseList(chars, &index, depth: depth + 1))
                continue
            }
            if let end = quotedStringEnd(chars, from: index) {
                items.append(.string(String(String.UnicodeScalarView(chars[index..<end]))))
                index = end
                continue
            }
            var token = String.UnicodeScalarView()
            while index < chars.count {
                let d = chars[index]
                if d == "(" || d == ")" || isWhitespace(d) { break }
                if !token.isEmpty, quotedStringEnd(chars, from: index) != nil { break }
                token.append(d)
                index += 1
            }
            items.append(.string(String(token)))
        }
    }

    /// The index after the closing quote of a quoted string starting at `start`, nil when none starts there.
    private static func quotedStringEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        let quote = chars[start]
        guard quote == "\"" || quote == "'" else { return nil }
        var i = start + 1
        while i < chars.count {
            let c = chars[i]
            if c == "\n" || c == "\r" { return nil }
            if c == "\\" {
                i += 2
                continue
            }
            if c == quote {
                // pyparsing accepts a doubled quote inside the string.
                if i + 1 < chars.count, chars[i + 1] == quote {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return nil
    }

    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r"
    }

    private static func skipWhitespace(_ chars: [Unicode.Scalar], _ index: inout Int) {
        while index < chars.count, isWhitespace(chars[index]) { index += 1 }
    }

    /// pyparsing's `ParseException` text: message, what was found (the next word of up to 16 alphanumerics or
    /// one character), the 0-based char and the 1-based line and column.
    private static func failure(_ message: String, at location: Int, in chars: [Unicode.Scalar]) -> AggregatesError {
        var found = ""
        if location >= chars.count {
            if !chars.isEmpty { found = ", found end of text" }
        } else {
            var word = String.UnicodeScalarView()
            var i = location
            while i < chars.count, word.count < 16, chars[i].properties.isAlphabetic || ("0"..."9").contains(chars[i]) || chars[i] == "_" {
                word.append(chars[i])
                i += 1
            }
            if word.isEmpty { word.append(chars[location]) }
            found = ", found " + PythonFormat.stringRepr(String(word))
        }
        var line = 1, column = 1
        for c in chars[0..<min(location, chars.count)] {
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return AggregatesError(
            code: .unparsableOperations, cause: "Invalid operations", reason: "Fail to parse the operations string",
            detail: .string("\(message)\(found)  (at char \(location)), (line:\(line), col:\(column))"))
    }
}
