/// A sample as polling agents publish it: Ceilometer's `meter_message_from_counter` (reference
/// B6), a flat mapping with a `message_signature`.
public struct MeterMessage: Sendable, Hashable {
    /// The message fields, `message_signature` included.
    public var fields: [String: TelemetryValue]

    /// The field names of a meter message, in Ceilometer's order (`publisher_id` only when set).
    public static let fieldNames = [
        "source", "counter_name", "counter_type", "counter_unit", "counter_volume", "user_id", "user_name",
        "project_id", "project_name", "resource_id", "timestamp", "resource_metadata", "message_id",
        "monotonic_time", "publisher_id", "message_signature",
    ]

    /// Builds and signs the message of `sample`.
    /// - Parameters:
    ///   - sample: The sample.
    ///   - secret: `publisher.telemetry_secret`; empty gives an empty signature.
    ///   - publisherID: Added as `publisher_id` when not nil.
    public init(sample: Sample, secret: String, publisherID: String? = nil) {
        var fields: [String: TelemetryValue] = [
            "source": .string(sample.source),
            "counter_name": .string(sample.name),
            "counter_type": .string(sample.type.rawValue),
            "counter_unit": .string(sample.unit),
            "counter_volume": sample.volume,
            "user_id": TelemetryValue(sample.userID),
            "user_name": TelemetryValue(sample.userName),
            "project_id": TelemetryValue(sample.projectID),
            "project_name": TelemetryValue(sample.projectName),
            "resource_id": .string(sample.resourceID),
            "timestamp": TelemetryValue(sample.timestamp),
            "resource_metadata": .dictionary(sample.resourceMetadata),
            "message_id": .string(sample.id),
            "monotonic_time": sample.monotonicTime.map { .double($0) } ?? .null,
        ]
        if let publisherID { fields["publisher_id"] = .string(publisherID) }
        fields["message_signature"] = .string(MessageSigner.signature(of: fields, secret: secret))
        self.fields = fields
    }

    /// Wraps fields already built (for example decoded from JSON).
    public init(fields: [String: TelemetryValue]) {
        self.fields = fields
    }

    /// The `message_signature` field, or nil.
    public var signature: String? { fields["message_signature"]?.stringValue }

    /// The `counter_name` field, or nil.
    public var counterName: String? { fields["counter_name"]?.stringValue }

    /// Whether the signature matches the other fields for `secret` (constant-time comparison).
    public func verifySignature(secret: String) -> Bool {
        MessageSigner.verify(fields, secret: secret)
    }

    /// The message as one line of JSON, keys sorted.
    public var json: String { TelemetryJSON.encode(.dictionary(fields)) }
}
