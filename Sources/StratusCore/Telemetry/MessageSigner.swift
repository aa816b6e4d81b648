import Crypto

/// Ceilometer's meter message signature (`publisher/utils.py`, reference B6): HMAC-SHA256 over
/// the message flattened recursively with sorted keys (nested keys joined with `:`), feeding
/// `str(name)` then `str(value)` of each pair, `message_signature` skipped; hex digest.
///
/// Values are rendered exactly as Python's `str()`: `None`, `True`, `5`, `5.0`, `1e-05`, and lists
/// as their `repr` with strings re-encoded to bytes (`[b'a', 1]`), so signatures match
/// Ceilometer's byte for byte.
public enum MessageSigner {
    /// Ceilometer's default `telemetry_secret`.
    public static let defaultSecret = "change this for valid signing"

    /// The signature of `message` for `secret`; `""` when `secret` is empty.
    public static func signature(of message: [String: TelemetryValue], secret: String) -> String {
        guard !secret.isEmpty else { return "" }
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        for (name, value) in keypairs(message, prefix: nil) where name != "message_signature" {
            hmac.update(data: Array(name.utf8))
            let text: String
            if case .list(let items) = value {
                text = PythonText.listRepr(items, stringsAsBytes: true)
            } else {
                text = PythonText.str(value)
            }
            hmac.update(data: Array(text.utf8))
        }
        let digest = hmac.finalize()
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `message["message_signature"]` is the signature of the rest of `message`.
    /// Compares in constant time, as `hmac.compare_digest`.
    public static func verify(_ message: [String: TelemetryValue], secret: String) -> Bool {
        guard case .string(let given)? = message["message_signature"] else { return false }
        let expected = signature(of: message, secret: secret)
        let lhs = Array(given.utf8), rhs = Array(expected.utf8)
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// `recursive_keypairs`: sorted, nested dictionaries flattened with `:`.
    static func keypairs(_ dictionary: [String: TelemetryValue], prefix: String?) -> [(String, TelemetryValue)] {
        var pairs: [(String, TelemetryValue)] = []
        for key in dictionary.keys.sorted(by: PythonText.less) {
            let name = prefix.map { "\($0):\(key)" } ?? key
            let value = dictionary[key]!
            if case .dictionary(let nested) = value {
                pairs.append(contentsOf: keypairs(nested, prefix: name))
            } else {
                pairs.append((name, value))
            }
        }
        return pairs
    }
}
