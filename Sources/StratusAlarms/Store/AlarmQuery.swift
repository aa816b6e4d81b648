import Foundation
import StratusCore

/// A filter over alarms or history entries: comparisons of whitelisted fields, combined with and/or/not.
public indirect enum AlarmFilter: Sendable, Hashable {
    /// `field OP value`.
    case comparison(field: String, op: AlarmFilterOperator, value: TelemetryValue)
    /// `field IN (values…)`.
    case `in`(field: String, values: [TelemetryValue])
    /// Every operand holds.
    case and([AlarmFilter])
    /// At least one operand holds.
    case or([AlarmFilter])
    /// The operand does not hold.
    case not(AlarmFilter)

    /// `field = value`.
    public static func equal(_ field: String, _ value: TelemetryValue) -> Self {
        .comparison(field: field, op: .equal, value: value)
    }
}

/// Comparison operators of filters.
public enum AlarmFilterOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case lessThan = "<"
    case lessThanOrEqual = "<="
    case greaterThan = ">"
    case greaterThanOrEqual = ">="
}

/// A listing: filter, sort keys, limit and marker (the id of the last item of the previous page).
public struct AlarmQuery: Sendable, Hashable {
    /// One sort key.
    public struct Sort: Sendable, Hashable {
        /// A whitelisted field (`timestamp`, `name`, …).
        public var field: String
        /// Ascending or descending.
        public var ascending: Bool
        /// A key on `field`.
        public init(_ field: String, ascending: Bool) {
            self.field = field
            self.ascending = ascending
        }
    }

    /// Which rows; nil for all.
    public var filter: AlarmFilter?
    /// Sort keys; empty means `timestamp` descending (Aodh's default). The primary key is always appended.
    public var sort: [Sort]
    /// At most this many rows; nil for all.
    public var limit: Int?
    /// `alarm_id` (alarms) or `event_id` (history) of the last item already seen.
    public var marker: String?

    /// A query; the defaults list everything in the default order.
    public init(filter: AlarmFilter? = nil, sort: [Sort] = [], limit: Int? = nil, marker: String? = nil) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.marker = marker
    }
}
