import Foundation
import StratusCore

/// One entry of an alarm's history (Aodh's `AlarmChange`).
public struct AlarmChange: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case creation
        case ruleChange = "rule change"
        case stateTransition = "state transition"
        case deletion
    }

    /// `event_id`.
    public var eventID: UUID
    /// The alarm it is about.
    public var alarmID: UUID
    /// `type`.
    public var type: Kind
    /// `detail`: JSON text (the stored alarm for creation, rule change and deletion; `{"state", …}` for transitions).
    public var detail: String
    /// The project of whoever made the change (null for evaluator transitions).
    public var projectID: String?
    /// The user who made the change (null for evaluator transitions).
    public var userID: String?
    /// The alarm's project.
    public var onBehalfOf: String?
    /// When.
    public var timestamp: Date
    /// The alarm's severity at the time.
    public var severity: String?

    /// Creates an entry.
    public init(
        eventID: UUID = UUID(), alarmID: UUID, type: Kind, detail: String, projectID: String? = nil,
        userID: String? = nil, onBehalfOf: String? = nil, timestamp: Date, severity: String? = nil
    ) {
        self.eventID = eventID
        self.alarmID = alarmID
        self.type = type
        self.detail = detail
        self.projectID = projectID
        self.userID = userID
        self.onBehalfOf = onBehalfOf
        self.timestamp = timestamp
        self.severity = severity
    }

    /// An entry about `alarm` whose detail is the alarm as stored (creation, rule change, deletion).
    public static func recording(
        _ kind: Kind, of alarm: Alarm, projectID: String?, userID: String?, at timestamp: Date
    ) -> AlarmChange {
        AlarmChange(
            alarmID: alarm.id, type: kind, detail: TelemetryJSON.encode(alarm.storedJSON), projectID: projectID,
            userID: userID, onBehalfOf: alarm.projectID, timestamp: timestamp, severity: alarm.severity.rawValue)
    }

    /// The entry as the API returns it.
    public var json: TelemetryValue {
        [
            "event_id": .string(eventID.uuidString.lowercased()),
            "alarm_id": .string(alarmID.uuidString.lowercased()),
            "type": .string(type.rawValue),
            "detail": .string(detail),
            "project_id": TelemetryValue(projectID),
            "user_id": TelemetryValue(userID),
            "on_behalf_of": TelemetryValue(onBehalfOf),
            "timestamp": .string(AlarmTimestamp.format(timestamp)),
            "severity": TelemetryValue(severity),
        ]
    }
}
