import Foundation

/// The predicate of `POST /v1/search/metric` (Gnocchi's `MetricSearchSchema` + `MeasureQuery`), compiled once
/// into a tree evaluated per aggregated point.
///
/// `{op: number}` applies `op` to the point's value and the number (`{">=": 50}` is `value >= 50`);
/// `{op: [a, b]}` applies it to two operands, each a number or a nested operation (`{">=": [{"+": 23}, 50]}` is
/// `value + 23 >= 50`); `{"and"|"∧": [q…]}` is true when every operand is, `{"or"|"∨": [q…]}` when one is;
/// `{"not": [q…]}` negates their conjunction (Gnocchi 4.7.1 validates `not` and then answers 400
/// "Unknown operator not": Stratus evaluates it). Results follow Python: comparisons give 1/0, any nonzero
/// result (NaN included) keeps the point, `%` takes the sign of the divisor; division by zero gives ±inf/NaN
/// where Python would raise.
indirect enum MetricValuePredicate: Sendable, Hashable {
    /// The point's value.
    case value
    /// A number from the query.
    case constant(Double)
    /// A comparison or arithmetic operator over two operands.
    case binary(Operator, MetricValuePredicate, MetricValuePredicate)
    /// `and` / `∧`.
    case all([MetricValuePredicate])
    /// `or` / `∨`.
    case any([MetricValuePredicate])
    /// `not`: true when the conjunction of the operands is false.
    case none([MetricValuePredicate])

    /// The binary operators with every spelling Gnocchi accepts.
    enum Operator: String, Sendable, Hashable {
        case eq, lt, gt, le, ge, ne, mod, add, sub, mul, div, pow

        static let spellings: [String: Operator] = [
            "=": .eq, "==": .eq, "eq": .eq, "<": .lt, "lt": .lt, ">": .gt, "gt": .gt,
            "<=": .le, "≤": .le, "le": .le, ">=": .ge, "≥": .ge, "ge": .ge, "!=": .ne, "≠": .ne, "ne": .ne,
            "%": .mod, "mod": .mod, "+": .add, "add": .add, "-": .sub, "sub": .sub,
            "*": .mul, "×": .mul, "mul": .mul, "/": .div, "÷": .div, "div": .div, "**": .pow, "^": .pow, "pow": .pow,
        ]

        func apply(_ a: Double, _ b: Double) -> Double {
            switch self {
            case .eq: return a == b ? 1 : 0
            case .lt: return a < b ? 1 : 0
            case .gt: return a > b ? 1 : 0
            case .le: return a <= b ? 1 : 0
            case .ge: return a >= b ? 1 : 0
            case .ne: return a != b ? 1 : 0
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .pow: return Foundation.pow(a, b)
            case .mod:
                // Python's float modulo: the result has the sign of the divisor.
                let r = fmod(a, b)
                return r != 0 && (r < 0) != (b < 0) ? r + b : r
            }
        }
    }

    /// The predicate's numeric result for one value.
    func evaluate(_ x: Double) -> Double {
        switch self {
        case .value: return x
        case .constant(let c): return c
        case .binary(let op, let a, let b): return op.apply(a.evaluate(x), b.evaluate(x))
        case .all(let operands): return operands.allSatisfy { $0.evaluate(x) != 0 } ? 1 : 0
        case .any(let operands): return operands.contains { $0.evaluate(x) != 0 } ? 1 : 0
        case .none(let operands): return operands.allSatisfy { $0.evaluate(x) != 0 } ? 0 : 1
        }
    }

    /// Whether a point with this value is kept (Python truthiness of the result).
    func matches(_ x: Double) -> Bool { evaluate(x) != 0 }

    // MARK: - Schema

    typealias Path = [SchemaViolation.PathElement]

    /// Validates a query body as `MetricSearchSchema`, with voluptuous' messages.
    static func parse(_ json: JSONValue) throws(SchemaViolation) -> MetricValuePredicate {
        try query(json, at: [])
    }

    private static func query(_ json: JSONValue, at path: Path) throws(SchemaViolation) -> MetricValuePredicate {
        let (key, value) = try singleMember(json, at: path)
        let here = path + [.key(key)]
        switch key {
        case "and", "∧", "or", "∨", "not":
            guard case .array(let items) = value else { throw .structure("not a valid value", at: here) }
            var operands: [MetricValuePredicate] = []
            for (index, item) in items.enumerated() { operands.append(try query(item, at: here + [.index(index)])) }
            switch key {
            case "and", "∧": return .all(operands)
            case "or", "∨": return .any(operands)
            default: return .none(operands)
            }
        default:
            return try operation(key, value, at: here)
        }
    }

    /// `MetricSearchOperationSchema` once the single member is known.
    private static func operation(_ key: String, _ value: JSONValue, at here: Path) throws(SchemaViolation)
        -> MetricValuePredicate
    {
        guard let op = Operator.spellings[key] else { throw .structure("not a valid value", at: here) }
        if let number = number(value) { return .binary(op, .value, .constant(number)) }
        guard case .array(let items) = value, items.count == 2 else { throw .value("expected float", at: here) }
        var operands: [MetricValuePredicate] = []
        for (index, item) in items.enumerated() {
            if let number = number(item) {
                operands.append(.constant(number))
                continue
            }
            let itemPath = here + [.index(index)]
            guard case .object = item else { throw .structure("expected a dictionary", at: itemPath) }
            let (innerKey, innerValue) = try singleMember(item, at: itemPath)
            operands.append(try operation(innerKey, innerValue, at: itemPath + [.key(innerKey)]))
        }
        return .binary(op, operands[0], operands[1])
    }

    /// `float`, `int` (and `bool`, a Python `int`).
    private static func number(_ json: JSONValue) -> Double? {
        switch json {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// `All(Length(min=1, max=1), dict)`.
    private static func singleMember(_ json: JSONValue, at path: Path) throws(SchemaViolation) -> (String, JSONValue) {
        let length: Int
        switch json {
        case .object(let members): length = members.count
        case .array(let items): length = items.count
        case .string(let text): length = text.unicodeScalars.count
        case .null, .bool, .number, .integer: throw .structure("invalid value or type", at: path)
        }
        if length == 0 { throw .structure("length of value must be at least 1", at: path) }
        if length > 1 { throw .structure("length of value must be at most 1", at: path) }
        guard case .object(let members) = json, let member = members.first else {
            throw .structure("expected a dictionary", at: path)
        }
        return (member.key, member.value)
    }
}
