import Foundation
import StratusCore
import Testing

/// Known answers computed with Ceilometer's `publisher/utils.py` `compute_signature` under
/// CPython 3 (`hmac`, `hashlib.sha256`), for the messages below.
@Suite struct MeterMessageSignatureTests {
    static let message: [String: TelemetryValue] = [
        "source": "openstack", "counter_name": "cpu", "counter_type": "cumulative", "counter_unit": "ns",
        "counter_volume": 1_234_567_890, "user_id": "u1", "user_name": nil, "project_id": "p1", "project_name": nil,
        "resource_id": "a3c1d2e4-0000-4000-8000-000000000001", "timestamp": "2026-11-25T14:40:11.123456",
        "resource_metadata": [
            "display_name": "vm1", "cpu_number": 2, "flavor": ["name": "m1.small", "ram": 2048],
            "tags": ["a", "b'c", 3], "ratio": 0.1, "ok": true,
        ],
        "message_id": "11111111-2222-3333-4444-555555555555", "monotonic_time": nil,
    ]

    @Test func signatureMatchesCeilometerKnownAnswer() {
        #expect(MessageSigner.signature(of: Self.message, secret: "change this for valid signing")
            == "1f31137b8456c55941d9c2827a4dfd01cede3e1fa052229cc32fc1d4ff34ef28")
        #expect(MessageSigner.signature(of: Self.message, secret: "secret")
            == "2f2dba268f90531f83439ae9d73cb2b1aff7bdb4f171d5c3fb2cc13be854931c")
    }

    @Test func meterMessageFromSampleMatchesCeilometerKnownAnswer() {
        let sample = Sample(
            name: "memory.usage", type: .gauge, unit: "MiB", volume: 512.0, resourceID: "host1",
            timestamp: "2026-11-25T14:40:11", id: "m2", monotonicTime: 12.5)
        let message = MeterMessage(sample: sample, secret: MessageSigner.defaultSecret)
        #expect(message.signature == "bdd3f09dd33c2b85ffae2db6d54c28b569d5550d8658f536ec92d3037820647b")
        #expect(message.verifySignature(secret: MessageSigner.defaultSecret))
        #expect(!message.verifySignature(secret: "other"))
        #expect(Set(message.fields.keys) == Set(MeterMessage.fieldNames).subtracting(["publisher_id"]))
    }

    @Test func signatureIgnoresExistingSignatureAndDetectsTampering() {
        var fields = Self.message
        fields["message_signature"] = "whatever"
        #expect(MessageSigner.signature(of: fields, secret: "secret")
            == "2f2dba268f90531f83439ae9d73cb2b1aff7bdb4f171d5c3fb2cc13be854931c")
        fields["message_signature"] = .string(MessageSigner.signature(of: fields, secret: "secret"))
        #expect(MessageSigner.verify(fields, secret: "secret"))
        fields["counter_volume"] = 1_234_567_891
        #expect(!MessageSigner.verify(fields, secret: "secret"))
    }

    @Test func emptySecretGivesEmptySignature() {
        #expect(MessageSigner.signature(of: Self.message, secret: "") == "")
    }

    @Test(arguments: [
        (5.0, "5.0"), (1e-05, "1e-05"), (1e16, "1e+16"), (9.1e15, "9100000000000000.0"), (0.0001, "0.0001"),
        (123456789.123, "123456789.123"), (1.5e-7, "1.5e-07"), (-2.5, "-2.5"), (1e22, "1e+22"),
        (0.1 + 0.2, "0.30000000000000004"),
    ])
    func floatsAreWrittenAsPythonRepr(value: Double, expected: String) {
        #expect(TelemetryJSON.encode(.double(value)) == expected)
    }

    @Test func jsonMatchesPythonJSONDumpsWithSortedKeys() {
        #expect(TelemetryJSON.encode(.dictionary(Self.message)) == """
            {"counter_name": "cpu", "counter_type": "cumulative", "counter_unit": "ns", "counter_volume": 1234567890, \
            "message_id": "11111111-2222-3333-4444-555555555555", "monotonic_time": null, "project_id": "p1", \
            "project_name": null, "resource_id": "a3c1d2e4-0000-4000-8000-000000000001", "resource_metadata": \
            {"cpu_number": 2, "display_name": "vm1", "flavor": {"name": "m1.small", "ram": 2048}, "ok": true, \
            "ratio": 0.1, "tags": ["a", "b'c", 3]}, "source": "openstack", "timestamp": "2026-11-25T14:40:11.123456", \
            "user_id": "u1", "user_name": null}
            """)
    }

    @Test func jsonRoundTripKeepsTheSignatureValid() throws {
        let sample = Sample(
            name: "cpu", type: .cumulative, unit: "ns", volume: 12.0, resourceID: "r\u{e9}\"1\n",
            timestamp: "2026-11-25T14:40:11", resourceMetadata: ["list": ["x", 1, 2.5, nil], "nested": ["a": ["b": true]]])
        let message = MeterMessage(sample: sample, secret: "k")
        let decoded = try MeterMessage(json: message.json)
        #expect(decoded == message)
        #expect(decoded.verifySignature(secret: "k"))
        #expect(throws: TelemetryJSON.DecodingError.self) { try MeterMessage(json: "[1, 2]") }
        #expect(throws: TelemetryJSON.DecodingError.self) { try TelemetryJSON.decode("{\"a\": }") }
    }

    @Test func sampleIdsAreUniqueVersion1UUIDs() {
        let ids = (0..<10_000).map { _ in SampleIdentifier.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let parts = id.split(separator: "-")
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
            #expect(parts[2].first == "1")
            #expect(["8", "9", "a", "b"].contains(parts[3].first))
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D })
        }
        // The 60-bit time (100 ns steps since 1582-10-15) of the id is now.
        let parts = SampleIdentifier.next().split(separator: "-").map { UInt64($0, radix: 16)! }
        let steps = (parts[2] & 0x0FFF) << 48 | parts[1] << 32 | parts[0]
        let seconds = Double(steps - 0x01B2_1DD2_1381_4000) / 1e7
        #expect(abs(seconds - Date().timeIntervalSince1970) < 60)
        #expect(Sample(name: "m", type: .gauge, unit: "u", volume: 1, resourceID: "r").id.count == 36)
    }
}
