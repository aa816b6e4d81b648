/// An aggregation method of an archive policy: one of Gnocchi's methods, optionally as `rate:<method>`.
///
/// The set and spelling are exactly Gnocchi 4.7.1's: `mean sum last max min std median first count`,
/// `1pct`…`99pct`, and each of these prefixed with `rate:`.
public struct AggregationMethod: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The function applied to the points of a bucket.
    public enum Function: Sendable, Hashable {
        case mean, sum, last, max, min, std, median, first, count
        /// The `n`th percentile, `1...99`, linear interpolation between ranks.
        case percentile(Int)
    }

    /// What is aggregated per bucket.
    public var function: Function
    /// When true, the function is applied to the differences of consecutive raw points (`rate:`).
    public var isRate: Bool

    public init(_ function: Function, rate: Bool = false) {
        self.function = function
        self.isRate = rate
    }

    /// Parses a method name such as `mean`, `95pct` or `rate:max`; nil when the name is not a valid method.
    public init?(_ name: some StringProtocol) {
        var text = Substring(name)
        var rate = false
        if text.hasPrefix("rate:") {
            rate = true
            text = text.dropFirst(5)
        }
        guard let function = Self.parseFunction(text) else { return nil }
        self.init(function, rate: rate)
    }

    private static func parseFunction(_ text: Substring) -> Function? {
        switch text {
        case "mean": return .mean
        case "sum": return .sum
        case "last": return .last
        case "max": return .max
        case "min": return .min
        case "std": return .std
        case "median": return .median
        case "first": return .first
        case "count": return .count
        default:
            // ([1-9][0-9]?)pct, as Gnocchi's regular expression.
            guard text.hasSuffix("pct") else { return nil }
            let digits = text.dropLast(3)
            guard (1...2).contains(digits.count), let first = digits.first, first != "0",
                  digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { return nil }
            return .percentile(n)
        }
    }

    /// The method's name as Gnocchi spells it.
    public var name: String {
        let base: String
        switch function {
        case .mean: base = "mean"
        case .sum: base = "sum"
        case .last: base = "last"
        case .max: base = "max"
        case .min: base = "min"
        case .std: base = "std"
        case .median: base = "median"
        case .first: base = "first"
        case .count: base = "count"
        case .percentile(let n): base = "\(n)pct"
        }
        return isRate ? "rate:" + base : base
    }

    public var description: String { name }

    public static func < (lhs: AggregationMethod, rhs: AggregationMethod) -> Bool { lhs.name < rhs.name }

    /// Every valid method: the nine functions, the 99 percentiles, and all of them as `rate:`.
    public static let all: [AggregationMethod] = {
        var functions: [Function] = [.mean, .sum, .last, .max, .min, .std, .median, .first, .count]
        functions += (1...99).map { Function.percentile($0) }
        return functions.map { AggregationMethod($0) } + functions.map { AggregationMethod($0, rate: true) }
    }()

    /// `[archive_policy] default_aggregation_methods`: mean, min, max, sum, std, count.
    public static let defaults: Set<AggregationMethod> = [
        AggregationMethod(.mean), AggregationMethod(.min), AggregationMethod(.max),
        AggregationMethod(.sum), AggregationMethod(.std), AggregationMethod(.count),
    ]
}
