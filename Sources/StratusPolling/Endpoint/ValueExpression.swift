/// The `| operation` of a dynamic pollster path (`"size | value * 1024"`), a small, safe subset
/// of the Python expressions Ceilometer `eval`s, over the variable `value`:
///
/// - literals: numbers, `'strings'` / `"strings"`, `True`, `False`, `None`;
/// - arithmetic `+ - * / // %` (`/` always gives a float, as Python 3), unary `-`;
/// - comparisons `== != < <= > >=`, `not`, `and`, `or`, and `A if CONDITION else B`;
/// - subscripts `value['key']`, `value[0]`;
/// - functions `len`, `int`, `float`, `str`, `abs`, `round`, `min`, `max`, `bool`;
/// - string methods `.lower()`, `.upper()`, `.strip()`.
///
/// Anything else is refused when the definition is read, with the reason.
indirect enum ValueExpression: Sendable, Hashable {
    case literal(JSONNode)
    case value
    case unary(String, ValueExpression)
    case binary(String, ValueExpression, ValueExpression)
    case conditional(ValueExpression, condition: ValueExpression, otherwise: ValueExpression)
    case subscriptOf(ValueExpression, ValueExpression)
    case call(String, [ValueExpression])
    case method(ValueExpression, String)

    static let functions: Set<String> = ["len", "int", "float", "str", "abs", "round", "min", "max", "bool"]
    static let methods: Set<String> = ["lower", "upper", "strip"]

    /// Parses one operation.
    /// - Throws: ``AttributePathError`` with the reason.
    static func parse(_ text: String) throws(AttributePathError) -> ValueExpression {
        var parser = ValueExpressionParser(tokens: try ValueExpressionLexer.tokens(text), text: text)
        let expression = try parser.parseConditional()
        guard parser.atEnd else { throw parser.failure("unexpected '\(parser.peek ?? "")'") }
        return expression
    }

    /// Evaluates the expression for `value`.
    /// - Throws: A reason (a missing key, a type mismatch, a division by zero).
    func evaluate(_ input: JSONNode) throws(AttributePathError) -> JSONNode {
        switch self {
        case .literal(let node): return node
        case .value: return input
        case .unary(let op, let operand):
            let value = try operand.evaluate(input)
            if op == "not" { return .bool(!ValueArithmetic.truthy(value)) }
            return try ValueArithmetic.negate(value)
        case .binary(let op, let lhs, let rhs):
            if op == "and" {
                let left = try lhs.evaluate(input)
                return ValueArithmetic.truthy(left) ? try rhs.evaluate(input) : left
            }
            if op == "or" {
                let left = try lhs.evaluate(input)
                return ValueArithmetic.truthy(left) ? left : try rhs.evaluate(input)
            }
            return try ValueArithmetic.binary(op, try lhs.evaluate(input), try rhs.evaluate(input))
        case .conditional(let then, let condition, let otherwise):
            return ValueArithmetic.truthy(try condition.evaluate(input)) ? try then.evaluate(input) : try otherwise.evaluate(input)
        case .subscriptOf(let base, let index):
            return try ValueArithmetic.subscriptValue(try base.evaluate(input), try index.evaluate(input))
        case .call(let name, let arguments):
            var values: [JSONNode] = []
            for argument in arguments { values.append(try argument.evaluate(input)) }
            return try ValueArithmetic.call(name, values)
        case .method(let base, let name):
            guard case .string(let text) = try base.evaluate(input) else {
                throw AttributePathError(reason: ".\(name)() needs a string")
            }
            switch name {
            case "lower": return .string(text.lowercased())
            case "upper": return .string(text.uppercased())
            default: return .string(text.trimmingPathSpaces())
            }
        }
    }
}

enum ValueExpressionLexer {
    static func tokens(_ text: String) throws(AttributePathError) -> [String] {
        var tokens: [String] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" {
                index += 1
            } else if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." || characters[end] == "e"
                    || ((characters[end] == "+" || characters[end] == "-") && end > index && characters[end - 1] == "e")
                {
                    end += 1
                }
                tokens.append(String(characters[index..<end]))
                index = end
            } else if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                tokens.append(String(characters[index..<end]))
                index = end
            } else if character == "'" || character == "\"" {
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                guard end < characters.count else { throw AttributePathError(reason: "unterminated string in '\(text)'") }
                tokens.append(String(characters[index...end]))
                index = end + 1
            } else {
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["//", "==", "!=", "<=", ">="].contains(two) {
                    tokens.append(two)
                    index += 2
                } else if "+-*/%()[].,<>".contains(character) {
                    tokens.append(String(character))
                    index += 1
                } else {
                    throw AttributePathError(reason: "unsupported character '\(character)' in operation '\(text)'")
                }
            }
        }
        return tokens
    }
}

struct ValueExpressionParser {
    let tokens: [String]
    let text: String
    var position = 0

    init(tokens: [String], text: String) {
        self.tokens = tokens
        self.text = text
    }

    var atEnd: Bool { position >= tokens.count }
    var peek: String? { atEnd ? nil : tokens[position] }

    func failure(_ reason: String) -> AttributePathError {
        AttributePathError(reason: "operation '\(text)' is not supported: \(reason)")
    }

    mutating func take(_ token: String) -> Bool {
        guard peek == token else { return false }
        position += 1
        return true
    }

    mutating func expect(_ token: String) throws(AttributePathError) {
        guard take(token) else { throw failure("expected '\(token)'") }
    }

    mutating func parseConditional() throws(AttributePathError) -> ValueExpression {
        let then = try parseOr()
        guard take("if") else { return then }
        let condition = try parseOr()
        try expect("else")
        return .conditional(then, condition: condition, otherwise: try parseConditional())
    }

    mutating func parseOr() throws(AttributePathError) -> ValueExpression {
        var lhs = try parseAnd()
        while take("or") { lhs = .binary("or", lhs, try parseAnd()) }
        return lhs
    }

    mutating func parseAnd() throws(AttributePathError) -> ValueExpression {
        var lhs = try parseNot()
        while take("and") { lhs = .binary("and", lhs, try parseNot()) }
        return lhs
    }

    mutating func parseNot() throws(AttributePathError) -> ValueExpression {
        take("not") ? .unary("not", try parseNot()) : try parseComparison()
    }

    mutating func parseComparison() throws(AttributePathError) -> ValueExpression {
        let lhs = try parseSum()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
            return .binary(op, lhs, try parseSum())
        }
        return lhs
    }

    mutating func parseSum() throws(AttributePathError) -> ValueExpression {
        var lhs = try parseProduct()
        while let op = peek, op == "+" || op == "-" {
            position += 1
            lhs = .binary(op, lhs, try parseProduct())
        }
        return lhs
    }

    mutating func parseProduct() throws(AttributePathError) -> ValueExpression {
        var lhs = try parseUnary()
        while let op = peek, ["*", "/", "//", "%"].contains(op) {
            position += 1
            lhs = .binary(op, lhs, try parseUnary())
        }
        return lhs
    }

    mutating func parseUnary() throws(AttributePathError) -> ValueExpression {
        if take("-") { return .unary("-", try parseUnary()) }
        if take("+") { return try parseUnary() }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(AttributePathError) -> ValueExpression {
        var expression = try parsePrimary()
        while true {
            if take("[") {
                let index = try parseConditional()
                try expect("]")
                expression = .subscriptOf(expression, index)
            } else if take(".") {
                guard let name = peek, ValueExpression.methods.contains(name) else {
                    throw failure("only the methods lower(), upper() and strip() are available")
                }
                position += 1
                try expect("(")
                try expect(")")
                expression = .method(expression, name)
            } else {
                return expression
            }
        }
    }

    mutating func parsePrimary() throws(AttributePathError) -> ValueExpression {
        guard let token = peek else { throw failure("unexpected end") }
        position += 1
        if token == "(" {
            let inner = try parseConditional()
            try expect(")")
            return inner
        }
        if let first = token.first, first == "'" || first == "\"" {
            return .literal(.string(String(token.dropFirst().dropLast())))
        }
        if let first = token.first, first.isNumber || first == "." {
            guard Double(token) != nil else { throw failure("invalid number '\(token)'") }
            return .literal(.number(token))
        }
        switch token {
        case "value": return .value
        case "True": return .literal(.bool(true))
        case "False": return .literal(.bool(false))
        case "None": return .literal(.null)
        default:
            guard ValueExpression.functions.contains(token) else {
                throw failure("unknown name '\(token)' (available: value, \(ValueExpression.functions.sorted().joined(separator: ", ")))")
            }
            try expect("(")
            var arguments: [ValueExpression] = []
            if !take(")") {
                repeat { arguments.append(try parseConditional()) } while take(",")
                try expect(")")
            }
            return .call(token, arguments)
        }
    }
}
