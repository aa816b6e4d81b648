import Synchronization

/// Names the batch files of one driver instance so that sorting names sorts batches by arrival.
///
/// A name is `<ns>-<instance>.batch`: the wall-clock time in nanoseconds (20 digits, strictly
/// increasing within the instance), then a random 64-bit instance id in hex that keeps the names
/// of several processes sharing the directory distinct.
final class BatchFileNamer: Sendable {
    /// The suffix of complete batch files.
    static let suffix = ".batch"
    /// The prefix of files being written; never read, removed when stale.
    static let temporaryPrefix = ".tmp-"

    private let instance: String
    private let lastTimestamp = Mutex<Int64>(0)

    init() {
        let id = String(UInt64.random(in: .min ... .max), radix: 16)
        self.instance = String(repeating: "0", count: 16 - id.count) + id
    }

    /// A new, unique batch file name.
    func next() -> String {
        let now = IncomingFileSystem.nowNanoseconds()
        let timestamp = self.lastTimestamp.withLock { last in
            last = max(now, last + 1)
            return last
        }
        let digits = String(timestamp)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + self.instance + Self.suffix
    }

    /// Whether a directory entry is a complete batch file.
    static func isBatchFile(_ name: String) -> Bool {
        name.hasSuffix(self.suffix) && !name.hasPrefix(".") && !name.contains("/")
    }

    /// Whether a directory entry is a file being written (or left by a crash).
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(self.temporaryPrefix) && !name.contains("/")
    }

    /// A unique temporary name for writing the file that will be named `name`.
    static func temporaryName(for name: String) -> String {
        self.temporaryPrefix + name + "." + String(UInt64.random(in: .min ... .max), radix: 16)
    }
}
