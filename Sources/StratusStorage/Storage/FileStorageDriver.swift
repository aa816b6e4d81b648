import Foundation
import Logging
import NIOPosix
import Synchronization

/// The `file` storage driver: one pack file per sack (`sack-<n>.pack`), replaced atomically (temp file,
/// fsync, rename, directory fsync); sack locks are `flock`s on `locks/sack-<n>.lock`, so processors in
/// several processes on one machine share the sacks safely.
public final class FileStorageDriver: StorageDriver {
    /// The storage directory.
    public let basePath: String
    private let logger: Logger
    /// Temporary pack files older than this (seconds) were left by a killed writer and are removed.
    private let staleTemporaryAge: Double
    /// Packs read recently, served while their file is unchanged.
    private let packCache = PackCache()

    /// Opens (creating if needed) the storage directory.
    /// - Throws: `StorageError.io` when the directories cannot be created.
    public init(basePath: String, logger: Logger, staleTemporaryAge: Double = 60) throws {
        self.basePath = basePath
        self.logger = logger
        self.staleTemporaryAge = staleTemporaryAge
        try IncomingFileSystem.makeDirectories(basePath + "/locks")
        try removeStaleTemporaryFiles()
    }

    /// Removes pack files a killed writer left half-written (`sack-N.pack.tmp-…`, older than `staleTemporaryAge`,
    /// so a writer in another process is never disturbed).
    func removeStaleTemporaryFiles() throws {
        let now = Date().timeIntervalSince1970
        for name in try IncomingFileSystem.listDirectory(basePath) ?? [] where name.contains(".pack.tmp-") {
            let path = basePath + "/" + name
            if let modified = try IncomingFileSystem.modificationTime(path), now - modified >= staleTemporaryAge {
                try IncomingFileSystem.removeFile(path)
                logger.info("Removed a pack file left by an interrupted write", metadata: ["storage.path": "\(path)"])
            }
        }
    }

    func packPath(_ sack: Int) -> String { "\(basePath)/sack-\(sack).pack" }

    public func load(sack: Int) async throws -> SackContents {
        let path = packPath(sack)
        let logger = self.logger
        let cache = self.packCache
        return try await NIOThreadPool.singleton.runIfActive {
            // The identity is taken before reading: contents are never kept under a newer file's identity.
            let identity = PackCache.identity(of: path)
            if let identity, let cached = cache.contents(sack: sack, identity: identity) { return cached }
            guard let bytes = try IncomingFileSystem.readFile(path) else { return SackContents() }
            let contents = SackPack.decode(bytes, path: path, logger: logger)
            if let identity {
                cache.store(sack: sack, identity: identity, contents: contents, now: Int64(Date().timeIntervalSince1970 * 1e9))
            }
            return contents
        }
    }

    public func store(sack: Int, _ contents: SackContents) async throws {
        packCache.remove(sack: sack)
        let path = packPath(sack)
        let directory = basePath
        try await NIOThreadPool.singleton.runIfActive {
            if contents.metrics.isEmpty && contents.consumed.isEmpty {
                if try IncomingFileSystem.removeFile(path) { try IncomingFileSystem.syncDirectory(directory) }
                return
            }
            let temporary = path + ".tmp-" + UUID().uuidString
            do {
                try IncomingFileSystem.writeSynced(temporary, SackPack.encode(contents))
                try IncomingFileSystem.move(temporary, to: path)
            } catch {
                _ = try? IncomingFileSystem.removeFile(temporary)
                throw error
            }
            try IncomingFileSystem.syncDirectory(directory)
        }
        try removeStaleTemporaryFiles()
    }

    public func read(metric: UUID, sack: Int) async throws -> StoredMetric? {
        let contents = try await load(sack: sack)
        guard let blob = contents.metrics[metric] else { return nil }
        let (stored, damage) = StoredMetric.decode(blob, path: packPath(sack))
        if let damage {
            logger.error("Damaged metric blob, using what can be read", metadata: [
                "metric.id": "\(metric.uuidString.lowercased())", "storage.path": "\(packPath(sack))", "error": "\(damage)",
            ])
        }
        return stored
    }

    public func tryLock(sack: Int) throws -> (any SackLock)? {
        let path = "\(basePath)/locks/sack-\(sack).lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StorageError(code: .io, message: "cannot open lock file: \(String(cString: strerror(errno)))", path: path)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return FileSackLock(fd: fd)
    }

    public func location(sack: Int) -> String { packPath(sack) }

    public func diskUsage() throws -> Int {
        try DiskUsage.bytes(under: basePath)
    }
}

/// An `flock` held on an open lock file; closing the descriptor releases it.
final class FileSackLock: SackLock {
    private let fd: Mutex<Int32?>

    init(fd: Int32) { self.fd = Mutex(fd) }

    func unlock() {
        fd.withLock { fd in
            if let descriptor = fd { close(descriptor) }
            fd = nil
        }
    }

    deinit { unlock() }
}

/// Disk usage as `du` counts it: allocated blocks of every file and directory.
public enum DiskUsage {
    /// Bytes allocated under `path`, directories included.
    public static func bytes(under path: String) throws -> Int {
        var total = 0
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        total += Int(info.st_blocks) * 512
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return total }
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            total += try bytes(under: path + "/" + name)
        }
        return total
    }
}
