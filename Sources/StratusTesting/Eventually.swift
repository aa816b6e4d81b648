/// Waiting for what another process or task does, in tests: poll instead of sleeping a fixed time.
public enum Eventually {
    /// A value that did not come in time.
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String
    }

    /// Polls `condition` every `interval` until it holds; false when `timeout` passes first (the
    /// condition is checked once more at the deadline).
    public static func holds(
        timeout: Duration, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
        }
        return try await condition()
    }

    /// Polls `probe` every `interval` until it returns a value; errors it throws meanwhile are kept
    /// for the message.
    /// - Throws: ``Timeout`` naming `what`, with the last error, when `timeout` passes first.
    public static func value<T>(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(200), _ probe: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if let value = try await probe() { return value }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: interval)
        }
        throw Timeout(description: "\(what) did not happen within \(timeout)" + (lastError.map { "; last error: \($0)" } ?? ""))
    }
}
