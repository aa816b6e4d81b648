import PostgresNIO

/// The background task a `PostgresClient` needs: its pool serves nothing until `run()` runs. A store that owns
/// its client (index, alarms) starts one at creation and cancels it in `close()` (which closes the pool).
public enum PostgresPoolTask {
    /// Starts `client.run()`. An immediate task enters `run()` before this returns, so early queries never
    /// find the pool idle.
    public static func start(_ client: PostgresClient) -> Task<Void, Never> {
        if #available(macOS 26.0, iOS 26.0, tvOS 26.0, watchOS 26.0, visionOS 26.0, *) {
            return Task.immediate { await client.run() }
        } else {
            return Task { await client.run() }
        }
    }
}
