import Foundation
import Logging

extension FileIncomingDriver {
    /// The name of the file holding the number of sacks, under the base path.
    static let sacksFileName = "sacks"

    /// Creates or updates the incoming storage layout (`stratus upgrade --sacks-number N`).
    ///
    /// Idempotent: with the stored number of sacks it only recreates missing directories. A
    /// different number is refused while any measure waits in the current sacks; otherwise the
    /// whole log is marked consumed, the new sacks are created, the number stored, and the old,
    /// empty sacks removed. Stop the API and metricd before changing the number of sacks.
    /// - Parameters:
    ///   - basePath: the directory holding the sacks; created if missing.
    ///   - sacks: the number of sacks, 1...65535 (Gnocchi's default is 128).
    /// - Throws: ``IncomingError`` with code `invalidSackCount`, `backlogNotEmpty`,
    ///   `invalidConfiguration` or `io`.
    public static func initialize(basePath: String, sacks: Int = IncomingSacks.defaultCount) throws {
        try IncomingSacks.validate(sackCount: sacks)
        try IncomingFileSystem.makeDirectories(basePath)
        let current = try self.storedSackCount(basePath: basePath)
        let silent = Logger(label: "stratus.incoming", factory: { _ in SwiftLogNoOpLogHandler() })
        let logDirectory = basePath + "/" + self.logDirectoryName
        try IncomingFileSystem.makeDirectory(logDirectory)
        var old: LegacyBatchFiles?
        if let current, current != sacks {
            let store = LegacyBatchFiles(basePath: basePath, sackCount: current, logger: silent)
            let files = try (0..<current).reduce(0) { $0 + (try store.batchFiles(of: $1).count) }
            // Records of the log are kept with their metric, not their sack: once all of them are
            // consumed (marked so whatever the number of sacks), the log serves any number.
            let waiting = files > 0
                ? try store.backlog().measures
                : try IncomingLogReader(directory: logDirectory, sackCount: current, logger: silent).markAllConsumedIfEmpty()
            if waiting > 0 || files > 0 {
                throw IncomingError(
                    code: .backlogNotEmpty,
                    message: "Cannot change the number of sacks from \(current) to \(sacks): \(max(waiting, files)) measures are still waiting; let metricd process them first",
                    path: basePath
                )
            }
            old = store
        }
        let new = LegacyBatchFiles(basePath: basePath, sackCount: sacks, logger: silent)
        for sack in 0..<sacks {
            try IncomingFileSystem.makeDirectory(new.sackPath(sack))
        }
        if current != sacks {
            let path = basePath + "/" + self.sacksFileName
            let temporary = basePath + "/" + BatchFileNamer.temporaryName(for: self.sacksFileName)
            do {
                try IncomingFileSystem.writeSynced(temporary, Array("\(sacks)\n".utf8))
                try IncomingFileSystem.move(temporary, to: path)
            } catch {
                _ = try? IncomingFileSystem.removeFile(temporary)
                throw error
            }
        }
        try IncomingFileSystem.syncDirectory(basePath)
        if let old {
            for sack in 0..<old.sackCount {
                let directory = old.sackPath(sack)
                for name in try IncomingFileSystem.listDirectory(directory) ?? [] where BatchFileNamer.isTemporary(name) {
                    try IncomingFileSystem.removeFile(directory + "/" + name)
                }
                try IncomingFileSystem.removeEmptyDirectory(directory)
            }
            try IncomingFileSystem.syncDirectory(basePath)
        }
    }

    /// The number of sacks stored under `basePath`, or nil if the storage was never initialized.
    /// - Throws: ``IncomingError`` with code `invalidConfiguration` if the stored value is unreadable.
    public static func storedSackCount(basePath: String) throws -> Int? {
        let path = basePath + "/" + self.sacksFileName
        guard let bytes = try IncomingFileSystem.readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let count = Int(text), IncomingSacks.validCounts.contains(count) else {
            throw IncomingError(
                code: .invalidConfiguration,
                message: "The number of sacks must be an integer between 1 and 65535, found \"\(text.prefix(40))\"",
                path: path
            )
        }
        return count
    }
}
