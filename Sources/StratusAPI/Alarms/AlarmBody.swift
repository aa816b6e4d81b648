import Carbonara
import Foundation
import StratusAlarms
import StratusCore

/// Reads the alarm body of `POST /v2/alarms` and `PUT /v2/alarms/{id}` as Aodh's `Alarm` WSME type does:
/// required `name` and `type`, the `<type>_rule`, Aodh's defaults for everything else, and the checks of
/// `Alarm.validate` (actions by scheme, unique time constraint names).
struct AlarmBody: Sendable {
    var name: String
    var type: String
    var description: String?
    var enabled: Bool
    var okActions: [String]
    var alarmActions: [String]
    var insufficientDataActions: [String]
    var repeatActions: Bool
    var severity: AlarmSeverity
    var timeConstraints: [TimeConstraint]
    var state: AlarmState?
    var stateReason: String?
    var projectID: String?
    var userID: String?
    var rule: AlarmRule

    /// The action URL schemes Stratus can notify (C6); anything else is "Unsupported action".
    static let actionSchemes: Set<String> = ["log", "test", "http", "https"]

    /// The fields an alarm body may carry (what the API returns, so a GET-modify-PUT round trip works).
    static let knownFields: Set<String> = [
        "alarm_id", "name", "description", "type", "enabled", "ok_actions", "alarm_actions", "insufficient_data_actions",
        "repeat_actions", "severity", "time_constraints", "state", "state_reason", "state_timestamp", "timestamp",
        "evaluate_timestamp", "project_id", "user_id",
    ]

    /// The aggregation methods a rule may name: Gnocchi's capabilities (Carbonara's list, with `rate:`).
    static let aggregationMethods: Set<String> = Set(AggregationMethod.all.map(\.name))

    /// Parses and validates a body.
    /// - Throws: `AodhError` 400 with Aodh's (or a readable) faultstring.
    init(_ body: JSONValue) throws(AodhError) {
        guard case .object(let fields) = body else {
            throw .badRequest("Invalid input for field/attribute data. Value: '\(Self.repr(body))'. An alarm must be a JSON object")
        }
        let ruleKeys = Set(AlarmRule.types.map { $0 + "_rule" })
        let unknown = fields.keys.filter { !Self.knownFields.contains($0) && !ruleKeys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw .badRequest("Unknown attribute for argument data: \(unknown.joined(separator: ", "))")
        }
        name = try Self.requiredString(fields, "name")
        type = try Self.requiredString(fields, "type")
        guard AlarmRule.types.contains(type) else {
            throw Self.invalid("type", fields["type"], "Value should be one of: \(AlarmRule.types.joined(separator: ", "))")
        }
        description = try Self.optionalString(fields, "description")
        enabled = try Self.bool(fields, "enabled", default: true)
        okActions = try Self.actions(fields, "ok_actions")
        alarmActions = try Self.actions(fields, "alarm_actions")
        insufficientDataActions = try Self.actions(fields, "insufficient_data_actions")
        repeatActions = try Self.bool(fields, "repeat_actions", default: false)
        if let text = try Self.optionalString(fields, "severity") {
            guard let value = AlarmSeverity(rawValue: text) else {
                throw Self.invalid("severity", fields["severity"], "Value should be one of: critical, low, moderate")
            }
            severity = value
        } else {
            severity = .low
        }
        if let text = try Self.optionalString(fields, "state") {
            guard let value = AlarmState(rawValue: text) else {
                throw Self.invalid("state", fields["state"], "Value should be one of: alarm, insufficient data, ok")
            }
            state = value
        }
        stateReason = try Self.optionalString(fields, "state_reason")
        projectID = try Self.optionalString(fields, "project_id")
        userID = try Self.optionalString(fields, "user_id")
        timeConstraints = try Self.timeConstraints(fields["time_constraints"])
        let ruleKey = type + "_rule"
        guard let ruleValue = fields[ruleKey], ruleValue != .null else {
            throw .badRequest("\(ruleKey) must be set for \(type) type alarm")
        }
        do {
            rule = try AlarmRule.parse(type: type, rule: ruleValue.telemetry, aggregationMethods: Self.aggregationMethods)
        } catch {
            throw .badRequest(error.reason)
        }
        for other in ruleKeys where other != ruleKey && fields[other] != nil && fields[other] != .null {
            throw .badRequest("\(other) is not allowed for \(type) type alarm")
        }
    }

    // MARK: - Field readers

    static func repr(_ value: JSONValue?) -> String {
        guard let value else { return "Unset" }
        switch value {
        case .string(let text): return text
        case .null: return "None"
        default: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    static func invalid(_ field: String, _ value: JSONValue?, _ reason: String) -> AodhError {
        .badRequest("Invalid input for field/attribute \(field). Value: '\(repr(value))'. \(reason)")
    }

    static func requiredString(_ fields: [String: JSONValue], _ key: String) throws(AodhError) -> String {
        guard let value = fields[key], value != .null else { throw invalid(key, nil, "Mandatory field missing.") }
        guard case .string(let text) = value else { throw invalid(key, value, "Wrong type. Expected 'str'") }
        guard !text.isEmpty else { throw invalid(key, value, "\(key) must not be empty") }
        return text
    }

    static func optionalString(_ fields: [String: JSONValue], _ key: String) throws(AodhError) -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw invalid(key, value, "Wrong type. Expected 'str'") }
        return text
    }

    static func bool(_ fields: [String: JSONValue], _ key: String, default defaultValue: Bool) throws(AodhError) -> Bool {
        guard let value = fields[key], value != .null else { return defaultValue }
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "true", "1", "yes", "on", "t", "y": return true
            case "false", "0", "no", "off", "f", "n": return false
            default: break
            }
        default: break
        }
        throw invalid(key, value, "Wrong type. Expected 'bool'")
    }

    /// A list of action URLs: strings with a supported scheme, duplicates dropped keeping the first occurrence.
    static func actions(_ fields: [String: JSONValue], _ key: String) throws(AodhError) -> [String] {
        guard let value = fields[key], value != .null else { return [] }
        guard case .array(let items) = value else { throw invalid(key, value, "Wrong type. Expected '[str]'") }
        var seen: Set<String> = []
        var actions: [String] = []
        for item in items {
            guard case .string(let url) = item else { throw invalid(key, value, "Wrong type. Expected '[str]'") }
            let scheme = url.range(of: "://").map { String(url[..<$0.lowerBound]).lowercased() } ?? ""
            guard actionSchemes.contains(scheme) else { throw .badRequest("Unsupported action \(url)") }
            if seen.insert(url).inserted { actions.append(url) }
        }
        return actions
    }

    static func timeConstraints(_ value: JSONValue?) throws(AodhError) -> [TimeConstraint] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else {
            throw invalid("time_constraints", value, "Wrong type. Expected '[TimeConstraint]'")
        }
        var constraints: [TimeConstraint] = []
        for item in items {
            do { constraints.append(try TimeConstraint.parse(item.telemetry)) } catch { throw .badRequest(error.reason) }
        }
        guard Set(constraints.map(\.name)).count == constraints.count else {
            throw .badRequest("Time constraint names must be unique for a given alarm.")
        }
        return constraints
    }
}
