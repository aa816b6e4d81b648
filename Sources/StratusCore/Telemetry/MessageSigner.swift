import Crypto
import Synchronization

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
        // HMAC over the concatenation of every update is the HMAC of the updates: build the bytes
        // once, authenticate once.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        appendKeypairs(message, prefix: [], into: &bytes)
        var mac = keyed(secret)
        mac.update(data: bytes)
        let code = mac.finalize()
        return code.withUnsafeBytes { raw in
            var hex = [UInt8](repeating: 0, count: raw.count * 2)
            for (index, byte) in raw.enumerated() {
                hex[2 * index] = hexDigits[Int(byte >> 4)]
                hex[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            return String(decoding: hex, as: UTF8.self)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The HMAC state after the key, for the last secret used: copying it (copy-on-write) saves
    /// hashing the key for every message.
    private static let lastKey = Mutex<(secret: String, mac: HMAC<SHA256>)?>(nil)

    private static func keyed(_ secret: String) -> HMAC<SHA256> {
        lastKey.withLock { state in
            if let state, state.secret == secret { return state.mac }
            let mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
            state = (secret, mac)
            return mac
        }
    }

    /// `recursive_keypairs` fed to the HMAC: for each pair in sorted order, `str(name)` then
    /// `str(value)` (lists with their strings as bytes); top-level `message_signature` skipped.
    private static func appendKeypairs(_ dictionary: [String: TelemetryValue], prefix: [UInt8], into bytes: inout [UInt8]) {
        for (key, value) in PythonText.sortedEntries(dictionary) {
            if prefix.isEmpty && key == "message_signature" { continue }
            if case .dictionary(let nested) = value {
                appendKeypairs(nested, prefix: prefix + Array(key.utf8) + [UInt8(ascii: ":")], into: &bytes)
                continue
            }
            bytes.append(contentsOf: prefix)
            bytes.append(contentsOf: key.utf8)
            switch value {
            case .string(let text): bytes.append(contentsOf: text.utf8)
            case .int(let number): bytes.append(contentsOf: String(number).utf8)
            case .list(let items): bytes.append(contentsOf: PythonText.listRepr(items, stringsAsBytes: true).utf8)
            default: bytes.append(contentsOf: PythonText.str(value).utf8)
            }
        }
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
}
