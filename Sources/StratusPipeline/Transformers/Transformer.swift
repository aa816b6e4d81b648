import Logging
import StratusCore

/// A step of a sink's transformer chain (reference B8): a value-type state machine that
/// receives samples one at a time and may hold them until ``flush(context:)``.
///
/// State is kept per grouping key (`resource_id`, with the meter name where B8 says so); the
/// pipeline calls ``flush(context:)`` after every batch and on its retention timer.
public protocol Transformer: Sendable {
    /// Builds the transformer from its `parameters` in pipeline.yaml.
    /// - Throws: ``TransformerParameterError`` for a missing, unknown or invalid parameter.
    init(parameters: TransformerParameters) throws(TransformerParameterError)

    /// Handles one sample.
    /// - Returns: the sample to hand to the next transformer, or nil when the sample is dropped
    ///   or held for a later flush.
    /// - Throws: ``TransformerError`` when the sample cannot be transformed (the pipeline logs it
    ///   and drops the sample).
    mutating func handle(_ sample: Sample, context: TransformerContext) throws(TransformerError) -> Sample?

    /// The samples released after a batch (or on a timer); they go to the next transformers.
    mutating func flush(context: TransformerContext) -> [Sample]
}

extension Transformer {
    /// Transformers that hold nothing release nothing.
    public mutating func flush(context: TransformerContext) -> [Sample] { [] }
}

/// What a transformer may use besides its state: the wall clock and a logger.
public struct TransformerContext: Sendable {
    /// Now, in seconds since the Unix epoch (injected, so tests drive time).
    public var now: Double
    /// Where warnings about dropped samples go.
    public var logger: Logger

    /// Creates a context.
    public init(now: Double, logger: Logger) {
        self.now = now
        self.logger = logger
    }
}

/// A sample a transformer could not transform.
public struct TransformerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

extension Sample {
    /// The volume as a number (Python's `float(volume)`), or nil.
    public var numericVolume: Double? { PythonFloat.parse(volume) }

    /// The timestamp in seconds since the epoch, or nil when absent or unparsable.
    var epochSeconds: Double? {
        guard let timestamp, let nanoseconds = try? Timestamps.parse(timestamp, now: 0) else { return nil }
        return Double(nanoseconds) / 1e9
    }
}

/// Python's `float()` of a telemetry value: numbers, booleans, and strings holding a number
/// (surrounding whitespace, `_` separators, `nan`, `inf`, `infinity` accepted).
enum PythonFloat {
    static func parse(_ value: TelemetryValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text): return parse(text)
        default: return nil
        }
    }

    static func parse(_ text: String) -> Double? {
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { return nil }
        var body = trimmed
        var sign = 1.0
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "nan": return .nan
        case "inf", "infinity": return sign * .infinity
        default: break
        }
        // Underscores only between digits.
        let scalars = Array(body.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where scalar == "_" {
            guard index > 0, index + 1 < scalars.count,
                  ("0"..."9").contains(scalars[index - 1]), ("0"..."9").contains(scalars[index + 1]) else { return nil }
        }
        let cleaned = String(String.UnicodeScalarView(scalars.filter { $0 != "_" }))
        guard cleaned.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" }),
              let number = Double(cleaned) else { return nil }
        return sign * number
    }
}
