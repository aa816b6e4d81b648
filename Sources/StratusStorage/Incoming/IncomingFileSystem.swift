#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The blocking POSIX calls of the file incoming driver; run them on a thread pool, never on the
/// cooperative pool. Member names differ from the POSIX functions they wrap so these stay visible.
enum IncomingFileSystem {
    static func failure(_ operation: String, _ path: String, errno code: Int32 = errno) -> IncomingError {
        IncomingError(code: .io, message: "\(operation) failed: \(String(cString: strerror(code)))", path: path)
    }

    /// The names in a directory (without `.` and `..`), or nil if it does not exist.
    static func listDirectory(_ path: String) throws -> [String]? {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return nil }
            throw self.failure("opendir", path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The whole content of a file, or nil if it does not exist.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw self.failure("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw self.failure("fstat", path) }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw self.failure("read", path)
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Creates `path` (which must not exist) with `bytes`, and fsyncs it.
    static func writeSynced(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw self.failure("open", path) }
        var closed = false
        defer { if !closed { close(fd) } }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let done = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if done < 0 {
                    if errno == EINTR { continue }
                    throw self.failure("write", path)
                }
                written += done
            }
        }
        guard fsync(fd) == 0 else { throw self.failure("fsync", path) }
        closed = true
        guard close(fd) == 0 else { throw self.failure("close", path) }
    }

    /// Fsyncs a directory, making the renames and unlinks in it durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw self.failure("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw self.failure("fsync", path) }
    }

    /// Atomically renames `from` to `to`, replacing `to` if it exists.
    static func move(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw self.failure("rename", to) }
    }

    /// Removes a file; true if it existed.
    @discardableResult
    static func removeFile(_ path: String) throws -> Bool {
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw self.failure("unlink", path)
        }
        return true
    }

    /// Removes an empty directory; false if it does not exist or is not empty.
    @discardableResult
    static func removeEmptyDirectory(_ path: String) throws -> Bool {
        guard rmdir(path) == 0 else {
            if errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST { return false }
            throw self.failure("rmdir", path)
        }
        return true
    }

    /// Creates a directory unless it exists; true if it was created.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> Bool {
        guard mkdir(path, 0o755) == 0 else {
            if errno == EEXIST { return false }
            throw self.failure("mkdir", path)
        }
        return true
    }

    /// Creates a directory and its missing parents.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            try self.makeDirectory(prefix)
            prefix += "/"
        }
    }

    /// The modification time of a file in seconds since the epoch, or nil if it does not exist.
    static func modificationTime(_ path: String) throws -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw self.failure("stat", path)
        }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The wall-clock time in nanoseconds since the epoch.
    static func nowNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
