import Foundation

/// A uniquely named directory under `NSTemporaryDirectory()`, created on init; call `remove()` or use `with`.
public struct TemporaryDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// Its file-system path.
    public var path: String { url.path }

    /// Creates `<tmp>/<prefix>-<uuid>`. - Throws: the file manager's error.
    public init(prefix: String = "stratus") throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The URL of a file or directory inside.
    public func appending(_ component: String) -> URL {
        url.appendingPathComponent(component)
    }

    /// Removes the directory and everything in it; errors are ignored.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs `body` with a fresh directory and removes it afterwards, even when `body` throws.
    public static func with<T>(
        prefix: String = "stratus",
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TemporaryDirectory) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try await body(directory)
    }
}
