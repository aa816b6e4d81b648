import Foundation

/// The pure steps of a threshold evaluation (reference C3 steps 2–5, Aodh's `GnocchiBase` and
/// `ThresholdEvaluator`): the look-back window, sanitising, and the comparison.
public enum ThresholdEvaluation {
    /// The query window `[now − window, now]` with `window = granularity × (evaluation_periods +
    /// lookBack) + additional_ingestion_lag`; `lookBack` is 1, or `evaluation_periods` for a legacy
    /// rule excluding outliers.
    public static func window(
        now: Date, granularity: Int, evaluationPeriods: Int, lookBack: Int = 1, additionalIngestionLag: Int = 0
    ) -> (start: Date, stop: Date) {
        let seconds = Double(granularity * (evaluationPeriods + lookBack) + additionalIngestionLag)
        return (now.addingTimeInterval(-seconds), now)
    }

    /// Keeps the values of the points whose granularity is the rule's, then the last
    /// `evaluationPeriods` of them.
    /// - Returns: the values, or the insufficient-data reason "No datapoint for granularity N".
    public static func sanitize(
        _ points: [Datapoint], granularity: Int, evaluationPeriods: Int
    ) -> Result<[Double], InsufficientData> {
        let values = points.lazy.filter { $0.granularity == Double(granularity) }.map(\.value)
        guard !values.isEmpty else {
            return .failure(InsufficientData(reason: "No datapoint for granularity \(granularity)", statistics: []))
        }
        return .success(Array(values.suffix(evaluationPeriods)))
    }

    /// Compares sanitised values with the threshold (C3 steps 4–5).
    public static func compare(
        _ statistics: [Double], comparison: ComparisonOperator, threshold: Double, evaluationPeriods: Int
    ) -> RuleOutcome {
        guard statistics.count >= evaluationPeriods else {
            return RuleOutcome(verdict: .insufficient("\(evaluationPeriods) datapoints are unknown"), statistics: statistics)
        }
        let compared = statistics.map { comparison.compare($0, threshold) }
        let outside = compared.filter { $0 }.count
        if outside == compared.count {
            return RuleOutcome(verdict: .state(.alarm), statistics: statistics, outsideCount: outside)
        }
        if outside == 0 {
            return RuleOutcome(verdict: .state(.ok), statistics: statistics, outsideCount: 0)
        }
        return RuleOutcome(
            verdict: .trending(compared.last! ? .alarm : .ok), statistics: statistics, outsideCount: outside)
    }

    /// The whole evaluation of fetched statistics: sanitise then compare; a failed fetch is insufficient data.
    public static func evaluate(
        _ result: StatisticsResult, granularity: Int, evaluationPeriods: Int, comparison: ComparisonOperator,
        threshold: Double
    ) -> RuleOutcome {
        switch result {
        case .failure(let reason):
            return RuleOutcome(verdict: .insufficient(reason), statistics: [])
        case .points(let points):
            switch sanitize(points, granularity: granularity, evaluationPeriods: evaluationPeriods) {
            case .failure(let insufficient):
                return RuleOutcome(verdict: .insufficient(insufficient.reason), statistics: insufficient.statistics)
            case .success(let values):
                return compare(values, comparison: comparison, threshold: threshold, evaluationPeriods: evaluationPeriods)
            }
        }
    }

    /// Ceilometer's `exclude_outliers`: drops the periods whose sample count lies outside mean ± 2σ
    /// of the counts (population σ); returns the values unchanged when none is an outlier.
    public static func excludingOutliers(_ values: [(value: Double, count: Double)]) -> [Double] {
        guard !values.isEmpty else { return [] }
        let counts = values.map(\.count)
        let mean = counts.reduce(0, +) / Double(counts.count)
        let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(counts.count)
        let deviation = variance.squareRoot()
        let lower = mean - 2 * deviation
        let upper = mean + 2 * deviation
        let inliers = values.filter { $0.count >= lower && $0.count <= upper }
        return inliers.map(\.value)
    }
}

/// Why a rule has not enough data, with the values there were.
public struct InsufficientData: Error, Sendable, Hashable {
    /// "No datapoint for granularity 60", "2 datapoints are unknown", "resource x does not exists"…
    public var reason: String
    /// The values available.
    public var statistics: [Double]

    /// Creates the error.
    public init(reason: String, statistics: [Double]) {
        self.reason = reason
        self.statistics = statistics
    }
}
