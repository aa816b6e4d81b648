/// A comparison between a value and an alarm's threshold (reference C1: `lt le eq ne ge gt`).
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable, Codable {
    case lt, le, eq, ne, ge, gt

    /// Whether `value OP threshold` holds.
    public func compare(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .lt: value < threshold
        case .le: value <= threshold
        case .eq: value == threshold
        case .ne: value != threshold
        case .ge: value >= threshold
        case .gt: value > threshold
        }
    }
}
