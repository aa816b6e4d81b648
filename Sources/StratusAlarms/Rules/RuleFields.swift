import Foundation
import StratusCore

/// Typed, validating access to the fields of a rule's JSON object, with Aodh's defaults.
///
/// `null` counts as absent (WSME treats `None` as unset), so defaults apply to it too.
struct RuleFields {
    /// The rule's name in messages: `gnocchi_resources_threshold_rule`.
    let context: String
    let entries: [String: TelemetryValue]

    init(_ value: TelemetryValue, context: String) throws(AlarmValidationError) {
        guard case .dictionary(let entries) = value else {
            throw AlarmValidationError("\(context) must be a JSON object")
        }
        self.context = context
        self.entries = entries
    }

    /// Refuses fields outside `known`.
    func checkKnown(_ known: Set<String>) throws(AlarmValidationError) {
        if let unknown = entries.keys.filter({ !known.contains($0) }).sorted().first {
            throw AlarmValidationError("Unknown attribute for argument \(context): \(unknown)")
        }
    }

    func value(_ key: String) -> TelemetryValue? {
        guard let value = entries[key], value != .null else { return nil }
        return value
    }

    func requiredString(_ key: String) throws(AlarmValidationError) -> String {
        guard let value = value(key) else { throw missing(key) }
        return try string(value, key)
    }

    func optionalString(_ key: String) throws(AlarmValidationError) -> String? {
        guard let value = value(key) else { return nil }
        return try string(value, key)
    }

    private func string(_ value: TelemetryValue, _ key: String) throws(AlarmValidationError) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        default: throw AlarmValidationError("\(context): \(key) must be a string")
        }
    }

    func requiredDouble(_ key: String) throws(AlarmValidationError) -> Double {
        guard let value = value(key) else { throw missing(key) }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw AlarmValidationError("\(context): \(key) must be a number, could not convert string to float: '\(text)'")
            }
            return number
        default: throw AlarmValidationError("\(context): \(key) must be a number")
        }
    }

    func integer(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws(AlarmValidationError) -> Int {
        guard let value = value(key) else { return defaultValue }
        let number: Int?
        switch value {
        case .int(let integer): number = Int(exactly: integer)
        case .double(let double): number = double.rounded() == double ? Int(exactly: double) : nil
        case .string(let text): number = Int(text.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number else { throw AlarmValidationError("\(context): \(key) must be an integer") }
        guard range.contains(number) else {
            if range.upperBound == Int.max {
                throw AlarmValidationError("\(key) must be at least \(range.lowerBound), got \(number)")
            }
            throw AlarmValidationError(
                "\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    func bool(_ key: String, default defaultValue: Bool) throws(AlarmValidationError) -> Bool {
        guard let value = value(key) else { return defaultValue }
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: break
            }
        case .int(let number) where number == 0 || number == 1: return number == 1
        default: break
        }
        throw AlarmValidationError("\(context): \(key) must be a boolean")
    }

    func comparisonOperator() throws(AlarmValidationError) -> ComparisonOperator {
        guard let text = try optionalString("comparison_operator") else { return .eq }
        guard let result = ComparisonOperator(rawValue: text) else {
            throw AlarmValidationError(
                "comparison_operator must be one of: lt, le, eq, ne, ge, gt, not \(text)")
        }
        return result
    }

    func missing(_ key: String) -> AlarmValidationError {
        AlarmValidationError("\(context): \(key) is mandatory")
    }
}
