import StratusCore

/// Reads the body of a sample batch as the polling agents send it: a JSON array of signed meter
/// messages (reference B6), or Ceilometer's notification payload `{"samples": [...]}`.
public struct SampleBatchDecoder: Sendable {
    /// A body that is not a batch at all (the whole request is refused).
    public struct MalformedBatch: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public var reason: String
        public var description: String { reason }
    }

    /// What one body held.
    public struct Batch: Sendable {
        /// The usable samples, in order.
        public var samples: [Sample] = []
        /// Messages in the body.
        public var received = 0
        /// Messages whose signature did not match (never published).
        public var badSignature = 0
        /// Messages that were not usable samples.
        public var invalid = 0
        /// Why the first invalid message was refused.
        public var firstProblem: String?
    }

    /// `publisher.telemetry_secret`; empty disables verification (Ceilometer's rule).
    public var secret: String
    /// Where `resource_metadata` objects are kept by their text (shared by copies of the decoder):
    /// a resource's samples then share one metadata dictionary, poll after poll. Nil decodes every
    /// object afresh.
    public var metadataInterner: JSONObjectInterner?

    /// Creates a decoder checking signatures with `secret`.
    /// - Parameters:
    ///   - secret: `publisher.telemetry_secret`.
    ///   - metadataInterner: Where decoded `resource_metadata` objects are kept (default: a new
    ///     interner of 4,096 objects per generation).
    public init(secret: String, metadataInterner: JSONObjectInterner? = JSONObjectInterner()) {
        self.secret = secret
        self.metadataInterner = metadataInterner
    }

    /// Decodes a body.
    /// - Throws: ``MalformedBatch`` when the body is not JSON, or neither an array nor `{"samples": [...]}`.
    public func decode(_ text: String) throws(MalformedBatch) -> Batch {
        try decode(bytes: Array(text.utf8))
    }

    /// Decodes a body given as UTF-8 bytes.
    /// - Throws: ``MalformedBatch`` when the body is not JSON, or neither an array nor `{"samples": [...]}`.
    public func decode(bytes: [UInt8]) throws(MalformedBatch) -> Batch {
        let document: TelemetryValue
        do {
            document = try TelemetryJSON.decode(bytes: bytes, interning: metadataInterner)
        } catch {
            throw MalformedBatch(reason: "the body is not JSON: \(error)")
        }
        let messages: [TelemetryValue]
        switch document {
        case .list(let items): messages = items
        case .dictionary(let object):
            guard case .list(let items)? = object["samples"] else {
                throw MalformedBatch(reason: "the body must be a JSON array of meter messages or {\"samples\": [...]}")
            }
            messages = items
        default:
            throw MalformedBatch(reason: "the body must be a JSON array of meter messages or {\"samples\": [...]}")
        }
        var batch = Batch()
        batch.received = messages.count
        batch.samples.reserveCapacity(messages.count)
        for (index, item) in messages.enumerated() {
            guard case .dictionary(let fields) = item else {
                batch.invalid += 1
                batch.firstProblem = batch.firstProblem ?? "message \(index) is not a JSON object"
                continue
            }
            let message = MeterMessage(fields: fields)
            if !secret.isEmpty && !message.verifySignature(secret: secret) {
                batch.badSignature += 1
                continue
            }
            do {
                batch.samples.append(try Sample(meterMessage: message))
            } catch {
                batch.invalid += 1
                batch.firstProblem = batch.firstProblem ?? "message \(index): \(error)"
            }
        }
        return batch
    }
}
