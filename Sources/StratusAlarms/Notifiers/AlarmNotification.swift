import Foundation

/// What an alarm's actions are told (reference C6): Aodh's notifier payload.
public struct AlarmNotification: Sendable, Hashable {
    /// The alarm's name.
    public var alarmName: String
    /// The alarm's id.
    public var alarmID: UUID
    /// `low`, `moderate` or `critical`.
    public var severity: String
    /// The state before the evaluation.
    public var previous: AlarmState
    /// The state after.
    public var current: AlarmState
    /// The reason text.
    public var reason: String
    /// The reason data.
    public var reasonData: ReasonData

    /// Creates a notification.
    public init(
        alarmName: String, alarmID: UUID, severity: String, previous: AlarmState, current: AlarmState, reason: String,
        reasonData: ReasonData
    ) {
        self.alarmName = alarmName
        self.alarmID = alarmID
        self.severity = severity
        self.previous = previous
        self.current = current
        self.reason = reason
        self.reasonData = reasonData
    }

    /// The HTTP body: Python's `json.dumps` of the dict Aodh builds, keys `alarm_name, alarm_id,
    /// severity, previous, current, reason, reason_data` in this order.
    public var body: String {
        "{\"alarm_name\": \(PythonJSON.string(alarmName)), \"alarm_id\": \(PythonJSON.string(alarmID.lowercaseText)), "
            + "\"severity\": \(PythonJSON.string(severity)), \"previous\": \(PythonJSON.string(previous.rawValue)), "
            + "\"current\": \(PythonJSON.string(current.rawValue)), \"reason\": \(PythonJSON.string(reason)), "
            + "\"reason_data\": \(reasonData.pythonJSON)}"
    }
}
