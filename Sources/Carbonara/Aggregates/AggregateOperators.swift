#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The binary operators of `/v1/aggregates`, with every spelling Gnocchi 4.7.1 accepts. Comparisons give
/// 1.0 / 0.0 (numpy booleans, which Gnocchi prints as floats).
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case equal, less, greater, lessEqual, greaterEqual, notEqual
    case mod, add, subtract, multiply, divide, power
    case clipMin, clipMax, fmax

    /// Every accepted spelling.
    public static let spellings: [String: BinaryOperator] = [
        "=": .equal, "==": .equal, "eq": .equal,
        "<": .less, "lt": .less,
        ">": .greater, "gt": .greater,
        "<=": .lessEqual, "≤": .lessEqual, "le": .lessEqual,
        ">=": .greaterEqual, "≥": .greaterEqual, "ge": .greaterEqual,
        "!=": .notEqual, "≠": .notEqual, "ne": .notEqual,
        "%": .mod, "mod": .mod,
        "+": .add, "add": .add,
        "-": .subtract, "sub": .subtract,
        "*": .multiply, "×": .multiply, "mul": .multiply,
        "/": .divide, "÷": .divide, "div": .divide,
        "**": .power, "^": .power, "pow": .power,
        "clip_min": .clipMin, "clip_max": .clipMax,
        "max": .fmax,
    ]

    @inline(__always)
    func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .equal: a == b ? 1 : 0
        case .less: a < b ? 1 : 0
        case .greater: a > b ? 1 : 0
        case .lessEqual: a <= b ? 1 : 0
        case .greaterEqual: a >= b ? 1 : 0
        case .notEqual: a != b ? 1 : 0
        case .mod: Self.pythonMod(a, b)
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .power: pow(a, b)
        case .clipMin: Self.clip(a, min: b, max: nil)
        case .clipMax: Self.clip(a, min: nil, max: b)
        case .fmax: a.isNaN ? b : (b.isNaN ? a : Swift.max(a, b))
        }
    }

    /// numpy's `mod` on floats: the remainder has the divisor's sign; `x % 0` is NaN.
    @inline(__always)
    static func pythonMod(_ a: Double, _ b: Double) -> Double {
        guard b != 0 else { return .nan }
        var m = fmod(a, b)
        if m != 0 {
            if (b < 0) != (m < 0) { m += b }
        } else {
            m = b < 0 ? -0.0 : 0.0
        }
        return m
    }

    /// numpy's `clip` (`minimum(maximum(a, lo), hi)`): a NaN anywhere gives NaN.
    @inline(__always)
    static func clip(_ a: Double, min lo: Double?, max hi: Double?) -> Double {
        var v = a
        if let lo { v = (v.isNaN || lo.isNaN) ? .nan : Swift.max(v, lo) }
        if let hi { v = (v.isNaN || hi.isNaN) ? .nan : Swift.min(v, hi) }
        return v
    }
}

/// Element-wise unary operators. `round` (numpy's `around`, half to even) is a Stratus addition that Gnocchi
/// 4.7.1 lists as a to-do.
public enum UnaryOperator: String, Sendable, Hashable, CaseIterable {
    case absolute, negative, cos, sin, tan, floor, ceil, round

    /// Every accepted spelling.
    public static let spellings: [String: UnaryOperator] = [
        "abs": .absolute, "absolute": .absolute, "neg": .negative, "negative": .negative,
        "cos": .cos, "sin": .sin, "tan": .tan, "floor": .floor, "ceil": .ceil, "round": .round,
    ]

    @inline(__always)
    func apply(_ v: Double) -> Double {
        switch self {
        case .absolute: Swift.abs(v)
        case .negative: -v
        case .cos: libmCos(v)
        case .sin: libmSin(v)
        case .tan: libmTan(v)
        case .floor: v.rounded(.down)
        case .ceil: v.rounded(.up)
        case .round: v.rounded(.toNearestOrEven)
        }
    }
}

/// Unary operators that change the timestamps: `rateofchange` (difference with the previous point, first point
/// dropped) and `rateofchangesec` (that difference divided by the seconds between the points, first point NaN).
public enum TimestampedUnaryOperator: String, Sendable, Hashable, CaseIterable {
    case rateOfChange = "rateofchange"
    case rateOfChangePerSecond = "rateofchangesec"
}

private func libmCos(_ x: Double) -> Double { cos(x) }
private func libmSin(_ x: Double) -> Double { sin(x) }
private func libmTan(_ x: Double) -> Double { tan(x) }
