/// The version of Stratus, as printed by `stratus --version` and reported by the API.
public struct StratusVersion: Sendable {
    /// The semantic version string, for example `"0.1.0"`.
    public static let string = "0.1.0"
}
