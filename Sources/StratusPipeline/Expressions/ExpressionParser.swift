/// Tokenizer and recursive-descent parser of ``SampleExpression``.
struct ExpressionParser {
    enum Token: Equatable {
        case number(Double)
        case name(String)
        case meter(String)
        case symbol(String)
        case end
    }

    private let text: String
    private let allowsMeterReferences: Bool
    private var tokens: [Token] = []
    private var index = 0
    private var depth = 0
    private(set) var meterNames: [String] = []

    /// Deepest nesting of parentheses and operators accepted.
    static let maximumDepth = 64

    init(text: String, allowsMeterReferences: Bool) {
        self.text = text
        self.allowsMeterReferences = allowsMeterReferences
    }

    private func error(_ reason: String) -> ExpressionError { ExpressionError(expression: text, reason: reason) }

    mutating func parseAll() throws(ExpressionError) -> ExpressionNode {
        guard text.utf8.count <= 4096 else { throw error("longer than 4096 bytes") }
        tokens = try tokenize()
        guard tokens.count > 1 else { throw error("empty expression") }
        let node = try parseOr()
        guard tokens[index] == .end else { throw error("unexpected \(describe(tokens[index]))") }
        return node
    }

    // MARK: Tokens

    private mutating func tokenize() throws(ExpressionError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var result: [Token] = []
        var i = 0
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        while i < scalars.count {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if isDigit(c) || (c == "." && i + 1 < scalars.count && isDigit(scalars[i + 1])) {
                var j = i
                var literal = ""
                while j < scalars.count, isDigit(scalars[j]) || scalars[j] == "." || scalars[j] == "_" {
                    if scalars[j] != "_" { literal.unicodeScalars.append(scalars[j]) }
                    j += 1
                }
                if j < scalars.count, scalars[j] == "e" || scalars[j] == "E" {
                    literal.unicodeScalars.append(scalars[j])
                    j += 1
                    if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" {
                        literal.unicodeScalars.append(scalars[j])
                        j += 1
                    }
                    while j < scalars.count, isDigit(scalars[j]) {
                        literal.unicodeScalars.append(scalars[j])
                        j += 1
                    }
                }
                guard let value = Double(literal), value.isFinite else { throw error("invalid number '\(literal)'") }
                result.append(.number(value))
                i = j
            } else if isNameStart(c) {
                var j = i
                var name = ""
                while j < scalars.count, isNameStart(scalars[j]) || isDigit(scalars[j]) {
                    name.unicodeScalars.append(scalars[j])
                    j += 1
                }
                result.append(.name(name))
                i = j
            } else if c == "$" {
                // `$(meter.name)`: word characters, dots and hyphens, as Ceilometer's `\$\(([\w\.\-]+)\)`.
                guard i + 1 < scalars.count, scalars[i + 1] == "(" else { throw error("'$' must start a meter reference $(name)") }
                var j = i + 2
                var name = ""
                while j < scalars.count, scalars[j] != ")" {
                    let m = scalars[j]
                    guard isNameStart(m) || isDigit(m) || m == "." || m == "-" else {
                        throw error("invalid character '\(m)' in a meter reference")
                    }
                    name.unicodeScalars.append(m)
                    j += 1
                }
                guard j < scalars.count else { throw error("unterminated meter reference $(\(name)") }
                guard !name.isEmpty else { throw error("empty meter reference $()") }
                guard allowsMeterReferences else {
                    throw error("meter references such as $(\(name)) are only allowed in the arithmetic transformer's expr")
                }
                if !meterNames.contains(name) { meterNames.append(name) }
                result.append(.meter(name))
                i = j + 1
            } else {
                let two = i + 1 < scalars.count ? String(c) + String(scalars[i + 1]) : ""
                if two == "**" || two == "//" {
                    result.append(.symbol(two))
                    i += 2
                } else if "+-*/%().".unicodeScalars.contains(c) {
                    result.append(.symbol(String(c)))
                    i += 1
                } else {
                    throw error("unexpected character '\(c)'")
                }
            }
        }
        result.append(.end)
        return result
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .number(let value): "number \(value)"
        case .name(let name): "'\(name)'"
        case .meter(let name): "$(\(name))"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "end of expression"
        }
    }

    private var current: Token { tokens[index] }

    private mutating func take(_ symbol: String) -> Bool {
        if current == .symbol(symbol) || current == .name(symbol) {
            index += 1
            return true
        }
        return false
    }

    private mutating func nested<T>(_ body: (inout ExpressionParser) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("nested too deeply") }
        return try body(&self)
    }

    // MARK: Grammar

    private mutating func parseOr() throws(ExpressionError) -> ExpressionNode {
        try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> ExpressionNode in
            var node = try parser.parseAnd()
            while parser.take("or") { node = .or(node, try parser.parseAnd()) }
            return node
        }
    }

    private mutating func parseAnd() throws(ExpressionError) -> ExpressionNode {
        var node = try parseNot()
        while take("and") { node = .and(node, try parseNot()) }
        return node
    }

    private mutating func parseNot() throws(ExpressionError) -> ExpressionNode {
        if take("not") {
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> ExpressionNode in
                .not(try parser.parseNot())
            }
        }
        return try parseSum()
    }

    private mutating func parseSum() throws(ExpressionError) -> ExpressionNode {
        var node = try parseProduct()
        while true {
            if take("+") {
                node = .binary(.add, node, try parseProduct())
            } else if take("-") {
                node = .binary(.subtract, node, try parseProduct())
            } else {
                return node
            }
        }
    }

    private mutating func parseProduct() throws(ExpressionError) -> ExpressionNode {
        var node = try parseUnary()
        while true {
            if take("*") {
                node = .binary(.multiply, node, try parseUnary())
            } else if take("/") {
                node = .binary(.divide, node, try parseUnary())
            } else if take("//") {
                node = .binary(.floorDivide, node, try parseUnary())
            } else if take("%") {
                node = .binary(.modulo, node, try parseUnary())
            } else {
                return node
            }
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        if take("-") {
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> ExpressionNode in
                .negate(try parser.parseUnary())
            }
        }
        if take("+") {
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> ExpressionNode in
                .plus(try parser.parseUnary())
            }
        }
        return try parsePower()
    }

    private mutating func parsePower() throws(ExpressionError) -> ExpressionNode {
        let base = try parsePrimary()
        if take("**") {
            return try nested { (parser: inout ExpressionParser) throws(ExpressionError) -> ExpressionNode in
                .binary(.power, base, try parser.parseUnary())
            }
        }
        return base
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        index += 1
        switch token {
        case .number(let value):
            return .constant(.number(value))
        case .name("True"):
            return .constant(.bool(true))
        case .name("False"):
            return .constant(.bool(false))
        case .name("None"):
            return .constant(.missing)
        case .name(let name):
            guard !["or", "and", "not"].contains(name) else { throw error("unexpected '\(name)'") }
            guard SampleExpression.sampleFields.contains(name) else {
                throw error("unknown name '\(name)'; a field path starts with one of: "
                    + SampleExpression.sampleFields.sorted().joined(separator: ", "))
            }
            return .field([name] + (try pathSuffix()))
        case .meter(let meter):
            let path = try pathSuffix()
            if let first = path.first, !SampleExpression.sampleFields.contains(first) {
                throw error("unknown field '\(first)' of $(\(meter)); valid: " + SampleExpression.sampleFields.sorted().joined(separator: ", "))
            }
            return .meter(meter, path.isEmpty ? ["volume"] : path)
        case .symbol("("):
            let inner = try parseOr()
            guard take(")") else { throw error("missing ')'") }
            return inner
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private mutating func pathSuffix() throws(ExpressionError) -> [String] {
        var path: [String] = []
        while take(".") {
            guard case .name(let name) = current else { throw error("expected a name after '.'") }
            index += 1
            path.append(name)
        }
        return path
    }
}
