import Foundation
import StratusCore

/// What the evaluator needs from the alarm store: due alarms, a compare-and-set claim per interval, and
/// recording a state it decided.
public protocol AlarmStore: Sendable {
    /// The alarm with this id, or nil.
    func alarm(_ id: UUID) async throws -> Alarm?

    /// The alarms among `ids` that exist, in database order.
    func alarms(ids: [UUID]) async throws -> [Alarm]

    /// Enabled alarms whose `evaluate_timestamp` is nil or older than `now - interval/2`, in database order.
    func dueAlarms(now: Date, interval: Duration) async throws -> [Alarm]

    /// Sets the alarm's `evaluate_timestamp` to `now` if it is still `expected`.
    /// - Returns: false when another evaluator changed it first (or the alarm is gone).
    func claim(_ id: UUID, expected: Date?, now: Date) async throws -> Bool

    /// An evaluator's decision: sets state, state_timestamp and state_reason; when the state changes, appends a
    /// `state transition` history entry with detail `{"state", "transition_reason"}` and null project and user.
    /// A vanished alarm is ignored.
    func recordEvaluation(_ id: UUID, state: AlarmState, reason: String, reasonData: TelemetryValue, at: Date) async throws
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
