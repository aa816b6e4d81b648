/// The `meters` list of a polling.yaml or pipeline.yaml source and Ceilometer's rules for it (reference B2 and
/// B7, `Source.check_source_filtering` and `is_supported`).
///
/// Items are meter names, fnmatch patterns (`memory.*`), `*`, or exclusions `!name` /
/// `!pattern`. The list is not empty; it cannot mix included and excluded items; it cannot mix
/// `*` with included items. `*` with exclusions, and exclusions only (meaning everything else),
/// are valid.
public struct MeterSelector: Sendable, Hashable {
    /// The items as written.
    public let items: [String]
    private let includes: [FNMatchPattern]
    private let excludes: [FNMatchPattern]

    /// A rule of B2 the list breaks.
    public enum Violation: Error, Sendable, Hashable, CustomStringConvertible {
        /// No meters.
        case empty
        /// An empty string or a bare `!`.
        case emptyItem
        /// Included and excluded items in one list.
        case includedAndExcluded
        /// `*` together with included items.
        case wildcardWithIncludes

        public var description: String {
            switch self {
            case .empty: "No meters specified"
            case .emptyItem: "meter names must not be empty"
            case .includedAndExcluded: "Both included and excluded meters specified"
            case .wildcardWithIncludes: "Included meters specified with wildcard"
            }
        }
    }

    /// Checks and compiles a `meters` list.
    /// - Throws: ``Violation`` for a list B2 rejects.
    public init(_ items: [String]) throws(Violation) {
        guard !items.isEmpty else { throw .empty }
        guard !items.contains(where: { $0.isEmpty || $0 == "!" }) else { throw .emptyItem }
        // As Ceilometer: an "included" item is one whose first character is neither `!` nor `*`.
        let included = items.filter { $0.first != "!" && $0.first != "*" }
        let excluded = items.filter { $0.first == "!" }
        if !included.isEmpty && !excluded.isEmpty { throw .includedAndExcluded }
        if items.contains("*") && !included.isEmpty { throw .wildcardWithIncludes }
        self.items = items
        includes = items.filter { $0.first != "!" }.map(FNMatchPattern.init)
        excludes = excluded.map { FNMatchPattern(String($0.dropFirst())) }
    }

    /// Whether the source polls `meterName`: not if an exclusion matches; yes if an inclusion
    /// matches; else yes only when the list holds exclusions only.
    /// (Callers on a hot path remember the answers: the pipeline keeps its routes per meter name.)
    public func selects(_ meterName: String) -> Bool {
        if excludes.contains(where: { $0.matches(meterName) }) { return false }
        if includes.contains(where: { $0.matches(meterName) }) { return true }
        return includes.isEmpty
    }

    public static func == (lhs: MeterSelector, rhs: MeterSelector) -> Bool { lhs.items == rhs.items }
    public func hash(into hasher: inout Hasher) { hasher.combine(items) }
}
