#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Option parsing shared by the publishers, with Ceilometer's (oslo) rules.
enum PublisherOptions {
    /// `strutils.bool_from_string` (not strict): `1 t true on y yes` (any case) are true,
    /// anything else false; nil gives `default`.
    static func bool(_ text: String?, default defaultValue: Bool) -> Bool {
        guard let text else { return defaultValue }
        return ["1", "t", "true", "on", "y", "yes"].contains(text.lowercased())
    }

    /// `strutils.bool_from_string(strict=True)`: nil when the text is not a boolean.
    static func strictBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "t", "true", "on", "y", "yes": true
        case "0", "f", "false", "off", "n", "no": false
        default: nil
        }
    }

    /// Whether a file exists at `path`.
    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
