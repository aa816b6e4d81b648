#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StratusCore

/// A value during evaluation: Python's dynamic values, reduced to what the language needs.
enum ExpressionValue: Sendable, Hashable {
    case number(Double)
    case bool(Bool)
    case string(String)
    /// A mapping (Ceilometer's `Namespace`): truthy when not empty.
    case mapping([String: TelemetryValue])
    /// A list: truthy when not empty.
    case list([TelemetryValue])
    /// `None` or a missing key: falsy.
    case missing

    init(_ value: TelemetryValue?) {
        switch value {
        case nil, .null?: self = .missing
        case .bool(let flag)?: self = .bool(flag)
        case .int(let number)?: self = .number(Double(number))
        case .double(let number)?: self = .number(number)
        case .string(let text)?: self = .string(text)
        case .list(let items)?: self = .list(items)
        case .dictionary(let entries)?: self = .mapping(entries)
        }
    }

    /// Python's truth value.
    var isTruthy: Bool {
        switch self {
        case .number(let value): value != 0
        case .bool(let flag): flag
        case .string(let text): !text.isEmpty
        case .mapping(let entries): !entries.isEmpty
        case .list(let items): !items.isEmpty
        case .missing: false
        }
    }

    /// The value as an arithmetic operand (booleans count as 0 and 1, as in Python).
    var number: Double? {
        switch self {
        case .number(let value): value
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    var kind: String {
        switch self {
        case .number: "a number"
        case .bool: "a boolean"
        case .string(let text): "the string '\(text)'"
        case .mapping: "a mapping"
        case .list: "a list"
        case .missing: "missing (None)"
        }
    }
}

/// What field paths and meter references read.
struct ExpressionScope {
    var sample: Sample?
    var meters: [String: Sample]

    /// The value of a field path of `sample` (`resource_metadata.cpu_number`).
    static func value(of sample: Sample, path: [String]) -> ExpressionValue? {
        guard let first = path.first else { return nil }
        var value: ExpressionValue
        switch first {
        case "name": value = .string(sample.name)
        case "type": value = .string(sample.type.rawValue)
        case "unit": value = .string(sample.unit)
        case "volume": value = ExpressionValue(sample.volume)
        case "user_id": value = ExpressionValue(sample.userID.map(TelemetryValue.string))
        case "project_id": value = ExpressionValue(sample.projectID.map(TelemetryValue.string))
        case "resource_id": value = .string(sample.resourceID)
        case "timestamp": value = ExpressionValue(sample.timestamp.map(TelemetryValue.string))
        case "resource_metadata": value = .mapping(sample.resourceMetadata)
        case "source": value = .string(sample.source)
        case "id": value = .string(sample.id)
        case "monotonic_time": value = ExpressionValue(sample.monotonicTime.map(TelemetryValue.double))
        case "user_name": value = ExpressionValue(sample.userName.map(TelemetryValue.string))
        case "project_name": value = ExpressionValue(sample.projectName.map(TelemetryValue.string))
        default: value = .missing
        }
        for key in path.dropFirst() {
            switch value {
            case .mapping(let entries): value = ExpressionValue(entries[key])
            case .missing: value = .missing  // an empty Namespace: every attribute is another one
            default: return nil
            }
        }
        return value
    }
}

/// The parsed form of a ``SampleExpression``.
indirect enum ExpressionNode: Sendable, Hashable {
    enum Operator: Sendable, Hashable {
        case add, subtract, multiply, divide, floorDivide, modulo, power
    }

    case constant(ExpressionValue)
    case field([String])
    case meter(String, [String])
    case negate(ExpressionNode)
    case plus(ExpressionNode)
    case not(ExpressionNode)
    case or(ExpressionNode, ExpressionNode)
    case and(ExpressionNode, ExpressionNode)
    case binary(Operator, ExpressionNode, ExpressionNode)

    func evaluate(in scope: ExpressionScope) throws(EvaluationFailure) -> ExpressionValue {
        switch self {
        case .constant(let value):
            return value
        case .field(let path):
            guard let sample = scope.sample else { throw EvaluationFailure("no sample to read \(path.joined(separator: ".")) from") }
            guard let value = ExpressionScope.value(of: sample, path: path) else {
                throw EvaluationFailure("\(path.joined(separator: ".")) is not a mapping")
            }
            return value
        case .meter(let name, let path):
            guard let sample = scope.meters[name] else { throw EvaluationFailure("no sample of meter \(name)") }
            guard let value = ExpressionScope.value(of: sample, path: path) else {
                throw EvaluationFailure("$(\(name)).\(path.joined(separator: ".")) is not a mapping")
            }
            return value
        case .negate(let operand):
            return .number(-(try Self.operand(operand.evaluate(in: scope))))
        case .plus(let operand):
            return .number(try Self.operand(operand.evaluate(in: scope)))
        case .not(let operand):
            return .bool(!(try operand.evaluate(in: scope).isTruthy))
        case .or(let lhs, let rhs):
            let left = try lhs.evaluate(in: scope)
            return left.isTruthy ? left : try rhs.evaluate(in: scope)
        case .and(let lhs, let rhs):
            let left = try lhs.evaluate(in: scope)
            return left.isTruthy ? try rhs.evaluate(in: scope) : left
        case .binary(let op, let lhs, let rhs):
            let a = try Self.operand(lhs.evaluate(in: scope))
            let b = try Self.operand(rhs.evaluate(in: scope))
            switch op {
            case .add: return .number(a + b)
            case .subtract: return .number(a - b)
            case .multiply: return .number(a * b)
            case .divide:
                guard b != 0 else { throw EvaluationFailure("division by zero") }
                return .number(a / b)
            case .floorDivide:
                guard b != 0 else { throw EvaluationFailure("division by zero") }
                return .number((a / b).rounded(.down))
            case .modulo:
                guard b != 0 else { throw EvaluationFailure("modulo by zero") }
                // Python's sign convention: the result has the sign of the divisor.
                let r = a.truncatingRemainder(dividingBy: b)
                return .number(r != 0 && (r < 0) != (b < 0) ? r + b : r)
            case .power:
                guard !(a == 0 && b < 0) else { throw EvaluationFailure("0 cannot be raised to a negative power") }
                let result = Self.power(a, b)
                guard !result.isNaN else { throw EvaluationFailure("a negative number cannot be raised to a fractional power") }
                return .number(result)
            }
        }
    }

    private static func operand(_ value: ExpressionValue) throws(EvaluationFailure) -> Double {
        guard let number = value.number else { throw EvaluationFailure("\(value.kind) is not a number") }
        return number
    }

    private static func power(_ base: Double, _ exponent: Double) -> Double {
        if exponent == exponent.rounded(), abs(exponent) <= 64 {
            var result = 1.0
            for _ in 0..<Int(abs(exponent)) { result *= base }
            return exponent < 0 ? 1 / result : result
        }
        #if canImport(Glibc)
        return Glibc.pow(base, exponent)
        #elseif canImport(Darwin)
        return Darwin.pow(base, exponent)
        #else
        return .nan
        #endif
    }
}

/// Why an evaluation failed (wrapped into ``ExpressionError`` by ``SampleExpression``).
struct EvaluationFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
