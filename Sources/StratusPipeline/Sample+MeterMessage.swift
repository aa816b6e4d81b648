import StratusCore

/// A meter message that is not a usable sample.
public struct SampleDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

extension Sample {
    /// The sample of a meter message, as Ceilometer's notification agent builds it
    /// (`counter_name` → name, `counter_volume` → volume as is, `message_id` → id, …).
    /// - Throws: ``SampleDecodingError`` when `counter_name`, `counter_type` or `resource_id`
    ///   is missing or invalid.
    public init(meterMessage message: MeterMessage) throws(SampleDecodingError) {
        let fields = message.fields
        func text(_ key: String) -> String? {
            switch fields[key] {
            case .string(let value)?: value
            case .int(let value)?: String(value)
            default: nil
            }
        }
        guard let name = text("counter_name"), !name.isEmpty else { throw SampleDecodingError("counter_name is missing") }
        guard let typeText = text("counter_type"), let type = SampleType(rawValue: typeText) else {
            throw SampleDecodingError("counter_type of \(name) must be gauge, delta or cumulative")
        }
        guard let resourceID = text("resource_id") else { throw SampleDecodingError("resource_id of \(name) is missing") }
        var metadata: [String: TelemetryValue] = [:]
        switch fields["resource_metadata"] {
        case nil, .null?: break
        case .dictionary(let entries)?: metadata = entries
        default: throw SampleDecodingError("resource_metadata of \(name) must be a mapping")
        }
        self.init(
            name: name, type: type, unit: text("counter_unit") ?? "", volume: fields["counter_volume"] ?? .null,
            userID: text("user_id"), projectID: text("project_id"), resourceID: resourceID,
            timestamp: text("timestamp"), resourceMetadata: metadata, source: text("source") ?? Sample.defaultSource,
            id: text("message_id") ?? UUIDText.random(), monotonicTime: fields["monotonic_time"]?.doubleValue,
            userName: text("user_name"), projectName: text("project_name"))
    }

    /// The sample as an unsigned meter message (the `file://` publisher's and the dry-run's lines).
    public var meterMessage: MeterMessage { MeterMessage(sample: self, secret: "") }

    /// The meter message as one line of JSON, keys sorted.
    public var jsonLine: String { meterMessage.json }
}

/// A random UUID in canonical lowercase text.
enum UUIDText {
    static func random() -> String {
        Sample(name: "", type: .gauge, unit: "", volume: .null, resourceID: "").id
    }
}
