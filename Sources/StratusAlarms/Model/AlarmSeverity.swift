/// How serious an alarm is (reference C2): `low` (the default), `moderate` or `critical`.
public enum AlarmSeverity: String, Sendable, Hashable, CaseIterable {
    case low
    case moderate
    case critical

    /// The rank used when sorting by severity: Aodh sorts by meaning, not alphabetically.
    public var rank: Int {
        switch self {
        case .low: 0
        case .moderate: 1
        case .critical: 2
        }
    }
}
