import Synchronization

/// Names the files of one driver instance (batch files, log segments) so that sorting names sorts
/// them by creation.
///
/// A name is `<ns>-<instance><suffix>`: the wall-clock time in nanoseconds (20 digits, strictly
/// increasing within the instance), then a random 64-bit instance id in hex that keeps the names
/// of several processes sharing the directory distinct.
final class BatchFileNamer: Sendable {
    /// The suffix of complete batch files.
    static let suffix = ".batch"
    /// The prefix of files being written; never read, removed when stale.
    static let temporaryPrefix = ".tmp-"

    private let instance: String
    private let nameSuffix: String
    private let lastTimestamp = Mutex<Int64>(0)

    init(suffix: String = BatchFileNamer.suffix) {
        let id = String(UInt64.random(in: .min ... .max), radix: 16)
        self.instance = String(repeating: "0", count: 16 - id.count) + id
        self.nameSuffix = suffix
    }

    /// A new, unique file name.
    func next() -> String {
        let now = IncomingFileSystem.nowNanoseconds()
        let timestamp = self.lastTimestamp.withLock { last in
            last = max(now, last + 1)
            return last
        }
        let digits = String(timestamp)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + self.instance + self.nameSuffix
    }

    /// Whether a directory entry is a complete batch file.
    static func isBatchFile(_ name: String) -> Bool {
        name.hasSuffix(self.suffix) && !name.hasPrefix(".") && !name.contains("/")
    }

    /// Whether `name` is `<20 digits>-<16 hex digits><suffix>`, as ``next()`` makes them.
    static func isGeneratedName(_ name: String, suffix: String) -> Bool {
        let bytes = Array(name.utf8)
        let suffixBytes = Array(suffix.utf8)
        guard bytes.count == 37 + suffixBytes.count, Array(bytes[37...]) == suffixBytes, bytes[20] == UInt8(ascii: "-") else { return false }
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let isHex = { (byte: UInt8) in isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) }
        return bytes[0..<20].allSatisfy(isDigit) && bytes[21..<37].allSatisfy(isHex)
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
