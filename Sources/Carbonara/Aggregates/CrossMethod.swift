/// A reduction of `/v1/aggregates` (`aggregate`, `rolling`, `resample`): numpy's `nanmean nanmedian nanstd
/// nanmin nanmax nansum nanvar` and the non-NaN count, each also as `rate:<m>` (reduce, then difference).
public struct CrossMethod: Sendable, Hashable, CustomStringConvertible {
    /// The reduction, named as Gnocchi names it.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        case mean, median, std, min, max, sum, `var`, count
    }

    public var function: Function
    /// Whether the reduced series is differenced afterwards (`rate:`).
    public var isRate: Bool

    /// A method, `rate:` when `rate`.
    public init(_ function: Function, rate: Bool = false) {
        self.function = function
        self.isRate = rate
    }

    /// Parses `mean`, `rate:max`, …; nil for anything else (percentiles are not cross-series methods).
    public init?(_ name: String) {
        var text = Substring(name)
        var rate = false
        if text.hasPrefix("rate:") {
            rate = true
            text = text.dropFirst(5)
        }
        guard let function = Function(rawValue: String(text)) else { return nil }
        self.init(function, rate: rate)
    }

    /// `mean`, `rate:max`, …
    public var name: String { (isRate ? "rate:" : "") + function.rawValue }
    public var description: String { name }

    /// Reduces `count` values read through `value(i)`, ignoring NaN as numpy's nan-functions do: an all-NaN
    /// (or empty) input gives NaN, except `sum` (0) and `count` (0). `std`/`var` are population (ddof 0).
    @inline(__always)
    func reduce(count: Int, scratch: inout [Double], _ value: (Int) -> Double) -> Double {
        switch function {
        case .sum:
            var s = 0.0
            for i in 0..<count { let v = value(i); if !v.isNaN { s += v } }
            return s
        case .count:
            var n = 0
            for i in 0..<count where !value(i).isNaN { n += 1 }
            return Double(n)
        case .mean:
            var s = 0.0, n = 0
            for i in 0..<count { let v = value(i); if !v.isNaN { s += v; n += 1 } }
            return s / Double(n)
        case .min:
            var m = Double.nan
            for i in 0..<count { let v = value(i); if !v.isNaN, m.isNaN || v < m { m = v } }
            return m
        case .max:
            var m = Double.nan
            for i in 0..<count { let v = value(i); if !v.isNaN, m.isNaN || v > m { m = v } }
            return m
        case .std, .var:
            var s = 0.0, n = 0
            for i in 0..<count { let v = value(i); if !v.isNaN { s += v; n += 1 } }
            guard n > 0 else { return .nan }
            let mean = s / Double(n)
            var ss = 0.0
            for i in 0..<count { let v = value(i); if !v.isNaN { let d = v - mean; ss += d * d } }
            let variance = ss / Double(n)
            return function == .std ? variance.squareRoot() : variance
        case .median:
            scratch.removeAll(keepingCapacity: true)
            for i in 0..<count { let v = value(i); if !v.isNaN { scratch.append(v) } }
            guard !scratch.isEmpty else { return .nan }
            scratch.sort()
            let n = scratch.count
            return n % 2 == 1 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2
        }
    }
}
