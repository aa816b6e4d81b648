/// Python semantics of the operators and functions of ``ValueExpression`` on JSON values.
enum ValueArithmetic {
    /// A number as Python sees it: an `int` (exact) or a `float`; booleans are ints.
    enum Number {
        case int(Int64)
        case float(Double)

        var double: Double {
            switch self {
            case .int(let value): Double(value)
            case .float(let value): value
            }
        }
    }

    static func number(_ node: JSONNode) -> Number? {
        switch node {
        case .number(let text):
            if let integer = Int64(text) { return .int(integer) }
            return Double(text).map(Number.float)
        case .bool(let flag): return .int(flag ? 1 : 0)
        default: return nil
        }
    }

    static func make(_ number: Number) -> JSONNode {
        switch number {
        case .int(let value): .number(Swift.String(value))
        case .float(let value): .number("\(value)")
        }
    }

    static func truthy(_ node: JSONNode) -> Bool {
        switch node {
        case .null: false
        case .bool(let flag): flag
        case .number: (number(node)?.double ?? 0) != 0
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        }
    }

    static func negate(_ node: JSONNode) throws(AttributePathError) -> JSONNode {
        switch number(node) {
        case .int(let value)?:
            let (result, overflow) = Int64(0).subtractingReportingOverflow(value)
            return overflow ? .number("\(-Double(value))") : .number(Swift.String(result))
        case .float(let value)?: return make(.float(-value))
        case nil: throw AttributePathError(reason: "cannot negate \(node.kind)")
        }
    }

    static func binary(_ op: Swift.String, _ lhs: JSONNode, _ rhs: JSONNode) throws(AttributePathError) -> JSONNode {
        switch op {
        case "==": return .bool(PythonEquality.equal(lhs, rhs))
        case "!=": return .bool(!PythonEquality.equal(lhs, rhs))
        case "<", "<=", ">", ">=":
            let order: Int
            if let a = number(lhs), let b = number(rhs) {
                order = a.double < b.double ? -1 : (a.double > b.double ? 1 : 0)
            } else if case .string(let a) = lhs, case .string(let b) = rhs {
                order = a < b ? -1 : (a > b ? 1 : 0)
            } else {
                throw AttributePathError(reason: "cannot compare \(lhs.kind) and \(rhs.kind)")
            }
            switch op {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        default:
            break
        }
        if op == "+", case .string(let a) = lhs, case .string(let b) = rhs { return .string(a + b) }
        guard let a = number(lhs), let b = number(rhs) else {
            throw AttributePathError(reason: "'\(op)' needs numbers, got \(lhs.kind) and \(rhs.kind)")
        }
        if case .int(let x) = a, case .int(let y) = b, op != "/" {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); if !o { return .number(Swift.String(r)) }
            case "-": let (r, o) = x.subtractingReportingOverflow(y); if !o { return .number(Swift.String(r)) }
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .number(Swift.String(r)) }
            case "//", "%":
                guard y != 0 else { throw AttributePathError(reason: "integer division by zero") }
                var quotient = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { quotient -= 1 }
                return .number(Swift.String(op == "//" ? quotient : x - quotient * y))
            default: break
            }
        }
        let x = a.double, y = b.double
        switch op {
        case "+": return make(.float(x + y))
        case "-": return make(.float(x - y))
        case "*": return make(.float(x * y))
        case "/":
            guard y != 0 else { throw AttributePathError(reason: "division by zero") }
            return make(.float(x / y))
        case "//":
            guard y != 0 else { throw AttributePathError(reason: "division by zero") }
            return make(.float((x / y).rounded(.down)))
        case "%":
            guard y != 0 else { throw AttributePathError(reason: "modulo by zero") }
            let remainder = x - (x / y).rounded(.down) * y
            return make(.float(remainder))
        default:
            throw AttributePathError(reason: "unknown operator '\(op)'")
        }
    }

    static func subscriptValue(_ base: JSONNode, _ index: JSONNode) throws(AttributePathError) -> JSONNode {
        switch (base, index) {
        case (.object, .string(let key)):
            guard let value = base[key] else { throw AttributePathError(reason: "key '\(key)' not found") }
            return value
        case (.array(let items), _):
            guard case .int(let position)? = number(index) else { throw AttributePathError(reason: "list index must be an integer") }
            let resolved = position < 0 ? Int64(items.count) + position : position
            guard resolved >= 0, resolved < Int64(items.count) else { throw AttributePathError(reason: "list index out of range") }
            return items[Int(resolved)]
        default:
            throw AttributePathError(reason: "cannot index \(base.kind) with \(index.kind)")
        }
    }

    static func call(_ name: Swift.String, _ arguments: [JSONNode]) throws(AttributePathError) -> JSONNode {
        func one() throws(AttributePathError) -> JSONNode {
            guard arguments.count == 1 else { throw AttributePathError(reason: "\(name)() takes one argument") }
            return arguments[0]
        }
        switch name {
        case "len":
            switch try one() {
            case .string(let text): return .number(Swift.String(text.unicodeScalars.count))
            case .array(let items): return .number(Swift.String(items.count))
            case .object(let members): return .number(Swift.String(members.count))
            case let other: throw AttributePathError(reason: "len() of \(other.kind)")
            }
        case "int":
            let argument = try one()
            if case .string(let text) = argument {
                guard let value = Int64(text.trimmingPathSpaces()) else { throw AttributePathError(reason: "int('\(text)') is not a number") }
                return .number(Swift.String(value))
            }
            guard let value = number(argument) else { throw AttributePathError(reason: "int() of \(argument.kind)") }
            switch value {
            case .int(let integer): return .number(Swift.String(integer))
            case .float(let double):
                guard double.isFinite, abs(double) < 9.2e18 else { throw AttributePathError(reason: "int() of \(double)") }
                return .number(Swift.String(Int64(double.rounded(.towardZero))))
            }
        case "float":
            let argument = try one()
            guard let value = argument.doubleValue else { throw AttributePathError(reason: "float() of \(argument.kind)") }
            return .number("\(value)")
        case "str":
            return .string(try one().pythonString)
        case "bool":
            return .bool(truthy(try one()))
        case "abs":
            let argument = try one()
            switch number(argument) {
            case .int(let value)? where value != .min: return .number(Swift.String(abs(value)))
            case let value?: return make(.float(abs(value.double)))
            case nil: throw AttributePathError(reason: "abs() of \(argument.kind)")
            }
        case "round":
            guard (1...2).contains(arguments.count), let value = number(arguments[0]) else {
                throw AttributePathError(reason: "round() takes a number and optional digits")
            }
            if arguments.count == 1 {
                let rounded = value.double.rounded(.toNearestOrEven)
                guard rounded.isFinite, abs(rounded) < 9.2e18 else { throw AttributePathError(reason: "round() of \(value.double)") }
                return .number(Swift.String(Int64(rounded)))
            }
            guard case .int(let digits)? = number(arguments[1]), (-15...15).contains(digits) else {
                throw AttributePathError(reason: "round() digits must be a small integer")
            }
            var scale = 1.0
            for _ in 0..<abs(digits) { scale *= 10 }
            let scaled = digits >= 0 ? value.double * scale : value.double / scale
            let rounded = scaled.rounded(.toNearestOrEven)
            return make(.float(digits >= 0 ? rounded / scale : rounded * scale))
        case "min", "max":
            let items: [JSONNode]
            if arguments.count == 1, case .array(let list) = arguments[0] { items = list } else { items = arguments }
            guard var best = items.first else { throw AttributePathError(reason: "\(name)() of nothing") }
            for item in items.dropFirst() {
                let less = truthy(try binary("<", item, best))
                if name == "min" ? less : truthy(try binary(">", item, best)) { best = item }
            }
            return best
        default:
            throw AttributePathError(reason: "unknown function \(name)()")
        }
    }
}
