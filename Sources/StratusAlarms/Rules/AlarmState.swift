/// The state of an alarm (reference C2): what its rule last evaluated to.
public enum AlarmState: String, Sendable, Hashable, CaseIterable, Codable {
    /// The rule's condition does not hold.
    case ok
    /// The rule's condition holds.
    case alarm
    /// Not enough data to decide (the initial state).
    case insufficientData = "insufficient data"
}
