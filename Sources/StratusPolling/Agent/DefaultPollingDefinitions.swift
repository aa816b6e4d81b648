/// The polling definitions used when no `polling.yaml` is found: Ceilometer's `polling_all.yaml`,
/// every meter every 300 seconds (also shipped as `polling.yaml` at the repository root).
public enum DefaultPollingDefinitions {
    /// The name used in messages about the embedded file.
    public static let fileName = "<embedded polling.yaml>"

    /// The YAML text.
    public static let yaml = """
        ---
        sources:
            - name: all_pollsters
              interval: 300
              meters:
                - "*"

        """
}
