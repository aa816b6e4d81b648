#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An open file, closed when the last reference goes: whoever still reads or syncs it keeps the
/// descriptor alive, so a descriptor number is never reused under a reader's feet. Closing also
/// releases the `flock` taken through it. Every method blocks: call them on a thread pool.
final class IncomingFile: Sendable {
    /// The path the file was opened at (for errors and logs; the file may have been renamed since).
    let path: String
    private let descriptor: Int32
    /// `flock` excludes other open file descriptions only: threads sharing this one take this too.
    private let exclusive = Mutex(())

    /// Opens `path`; nil if it does not exist and `flags` does not create it.
    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> IncomingFile? {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return IncomingFile(path: path, descriptor: fd) }
            if errno == EINTR { continue }
            if errno == ENOENT { return nil }
            throw IncomingFileSystem.failure("open", path)
        }
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(self.descriptor) }

    /// The size of the file in bytes.
    func size() throws -> Int {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else { throw IncomingFileSystem.failure("fstat", self.path) }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (resized to what was read: shorter only at
    /// the end of the file; its storage is reused).
    func read(_ count: Int, at offset: Int, into buffer: inout [UInt8]) throws {
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
        var filled = 0
        try buffer.withUnsafeMutableBytes { raw in
            while filled < count {
                let got = pread(self.descriptor, raw.baseAddress! + filled, count - filled, off_t(offset + filled))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw IncomingFileSystem.failure("pread", self.path)
                }
                if got == 0 { break }
                filled += got
            }
        }
        if filled < count { buffer.removeLast(count - filled) }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var written = 0
        while written < bytes.count {
            let done = pwrite(self.descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if done < 0 {
                if errno == EINTR { continue }
                throw IncomingFileSystem.failure("pwrite", self.path)
            }
            written += done
        }
    }

    /// Makes the file's data (and the metadata needed to read it back) durable.
    func syncData() throws {
        #if canImport(Darwin)
        let result = fsync(self.descriptor)
        #else
        let result = fdatasync(self.descriptor)
        #endif
        guard result == 0 else { throw IncomingFileSystem.failure("fdatasync", self.path) }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws {
        guard ftruncate(self.descriptor, off_t(size)) == 0 else { throw IncomingFileSystem.failure("ftruncate", self.path) }
    }

    /// Takes an exclusive `flock`, waiting for it, and keeps it until the file is closed.
    func lockExclusive() throws {
        while flock(self.descriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw IncomingFileSystem.failure("flock", self.path) }
        }
    }

    /// Runs `body` while holding the file exclusively against every other thread and process that
    /// calls this too (an exclusive `flock`, waited for, and released afterwards).
    func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        try self.exclusive.withLock { _ in
            try self.lockExclusive()
            defer { _ = flock(self.descriptor, LOCK_UN) }
            return try body()
        }
    }

    /// Whether another open file description holds an exclusive `flock` on the file, that is, whether
    /// its writer is alive (a shared lock is taken and released at once when nobody does).
    func isLockedByAnother() throws -> Bool {
        while flock(self.descriptor, LOCK_SH | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return true }
            throw IncomingFileSystem.failure("flock", self.path)
        }
        _ = flock(self.descriptor, LOCK_UN)
        return false
    }
}
