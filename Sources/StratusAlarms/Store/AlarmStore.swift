import Foundation
import StratusCore

/// What the evaluator needs from the alarm store: due alarms, a compare-and-set claim per interval, and
/// recording a state it decided.
public protocol AlarmStore: Sendable {
    /// The alarm with this id, or nil.
    func alarm(_ id: UUID) async throws -> Alarm?

    /// The alarms among `ids` that exist, in database order.
    func alarms(ids: [UUID]) async throws -> [Alarm]

    /// One page of the due alarms (enabled, `evaluate_timestamp` nil or older than `now - interval/2`), in database
    /// order: at most `limit` alarms after `cursor` (from the first when nil). Keyset pagination on the row order,
    /// so a page costs the same wherever it starts, and rows claimed meanwhile do not shift the next page.
    /// - Parameters:
    ///   - cursor: the previous page's ``DueAlarmPage/next``, or nil for the first page.
    ///   - limit: the page size (at least 1).
    /// - Returns: the page; its `next` is nil when no due alarm can follow.
    func dueAlarms(now: Date, interval: Duration, after cursor: DueAlarmCursor?, limit: Int) async throws -> DueAlarmPage

    /// Sets the alarm's `evaluate_timestamp` to `now` if it is still `expected`.
    /// - Returns: false when another evaluator changed it first (or the alarm is gone).
    func claim(_ id: UUID, expected: Date?, now: Date) async throws -> Bool

    /// An evaluator's decision: sets state, state_timestamp and state_reason; when the state changes, appends a
    /// `state transition` history entry with detail `{"state", "transition_reason"}` and null project and user.
    /// A vanished alarm is ignored.
    func recordEvaluation(_ id: UUID, state: AlarmState, reason: String, reasonData: TelemetryValue, at: Date) async throws
}

extension AlarmStore {
    /// Every due alarm (enabled, `evaluate_timestamp` nil or older than `now - interval/2`), in database order: all
    /// the pages of ``dueAlarms(now:interval:after:limit:)`` at once. The evaluator reads them page by page.
    public func dueAlarms(now: Date, interval: Duration) async throws -> [Alarm] {
        var alarms: [Alarm] = []
        var cursor: DueAlarmCursor?
        repeat {
            let page = try await dueAlarms(now: now, interval: interval, after: cursor, limit: 1_000)
            alarms += page.alarms
            cursor = page.next
        } while cursor != nil
        return alarms
    }
}

/// Where the next page of due alarms starts: after the row of the previous page's last alarm (opaque).
public struct DueAlarmCursor: Sendable, Hashable {
    /// The store's row order key (`alarm.seq`) of the last row read.
    let seq: Int64
}

/// One page of due alarms, and where the next one starts.
public struct DueAlarmPage: Sendable {
    /// The due alarms of the page, in database order (rows that cannot be read are skipped and logged).
    public var alarms: [Alarm]
    /// Where the next page starts; nil when this page was the last.
    public var next: DueAlarmCursor?

    /// The page of `alarms` read from `rows` rows, the last of them at `lastSeq`; a full page (`rows == limit`) has a next.
    init(alarms: [Alarm], rows: Int, lastSeq: Int64?, limit: Int) {
        self.alarms = alarms
        self.next = rows >= limit ? lastSeq.map(DueAlarmCursor.init(seq:)) : nil
    }
}

/// The whole store: what the API needs on top of the evaluator's view. SQLite and PostgreSQL implement it,
/// in the index database.
public protocol AlarmDatabase: AlarmStore {
    /// Creates or migrates the alarm tables (idempotent).
    func upgrade() async throws

    /// Releases connections.
    func close() async throws

    /// Inserts an alarm and its `creation` entry, atomically.
    /// - Throws: `AlarmStoreError.alreadyExists`.
    func createAlarm(_ alarm: Alarm, change: AlarmChange) async throws

    /// Replaces a stored alarm (same id) and appends `change` if given, atomically.
    /// - Throws: `AlarmStoreError.notFound`.
    func updateAlarm(_ alarm: Alarm, change: AlarmChange?) async throws

    /// Deletes an alarm and appends its `deletion` entry (history is kept).
    /// - Throws: `AlarmStoreError.notFound`.
    func deleteAlarm(_ id: UUID, change: AlarmChange) async throws

    /// Alarms matching a query (filter, sort, limit, marker).
    /// - Throws: `AlarmStoreError.invalidMarker`, `.invalidQuery`.
    func listAlarms(_ query: AlarmQuery) async throws -> [Alarm]

    /// History entries matching a query; newest first by default.
    /// - Throws: `AlarmStoreError.invalidMarker`, `.invalidQuery`.
    func history(_ query: AlarmQuery) async throws -> [AlarmChange]

    /// How many alarms a project (or, when nil, every project) owns, optionally of one user.
    func countAlarms(projectID: String?, userID: String?) async throws -> Int

    /// The quotas set for a project, by resource (`alarms`); empty when none was set.
    func quotas(projectID: String) async throws -> [String: Int]

    /// Sets (inserts or replaces) quotas of a project.
    func setQuotas(projectID: String, _ quotas: [String: Int]) async throws

    /// Removes every quota of a project (back to the defaults).
    func deleteQuotas(projectID: String) async throws
}

/// A store failure, with what the user needs to know.
public struct AlarmStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// No such alarm ("Alarm <id> not found").
        case notFound
        /// An alarm with that id exists.
        case alreadyExists
        /// The pagination marker names no row ("Marker <id> not found.").
        case invalidMarker
        /// An unknown field, or a value of the wrong kind, in a filter or sort.
        case invalidQuery
        /// An indexer URL the store cannot open.
        case invalidURL
        /// The database failed (the message carries its reason).
        case database
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for users and logs.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ id: UUID) -> Self { Self(.notFound, "Alarm \(id.uuidString.lowercased()) not found") }
    static func invalidMarker(_ id: String) -> Self { Self(.invalidMarker, "Marker \(id) not found.") }
}
