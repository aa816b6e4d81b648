#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StratusCore
import Synchronization

/// `file://PATH?max_bytes=N&backup_count=M`: appends each sample as one line of JSON (an
/// unsigned meter message). With both options, the file rotates as Python's
/// `RotatingFileHandler` (Ceilometer's file publisher): before a line that would bring the file
/// to `max_bytes` or more, `PATH.(M-1)` → `PATH.M`, …, `PATH` → `PATH.1`, and a new `PATH` is
/// started; `backup_count=0` never rotates.
///
/// The file is opened on the first batch, so building the publisher (validation) does no I/O.
public final class FilePublisher: Publisher {
    /// The file written.
    public let path: String
    /// Rotate before reaching this size (0: never).
    public let maxBytes: Int
    /// Rotated files kept.
    public let backupCount: Int

    private struct State {
        var descriptor: Int32 = -1
        var size = 0
    }

    private let state = Mutex(State())

    /// Reads the URL.
    /// - Throws: ``PublisherConfigurationError`` when the path is missing or an option is not a
    ///   non-negative integer.
    public init(url: PublisherURL) throws(PublisherConfigurationError) {
        guard !url.location.isEmpty, url.location.lowercased() != "file" else {
            throw PublisherConfigurationError("the path for the file publisher is required: '\(url.text)'")
        }
        path = url.location
        let maxText = url.option("max_bytes"), backupText = url.option("backup_count")
        for (name, value) in [("max_bytes", maxText), ("backup_count", backupText)] {
            if let value, Int(value).map({ $0 < 0 }) ?? true {
                throw PublisherConfigurationError("publisher '\(url.text)': \(name) must be a non-negative integer, got '\(value)'")
            }
        }
        if let maxText, let backupText, !maxText.isEmpty, !backupText.isEmpty {
            maxBytes = Int(maxText) ?? 0
            backupCount = Int(backupText) ?? 0
        } else {
            maxBytes = 0
            backupCount = 0
        }
    }

    deinit {
        let fd = state.withLock { $0.descriptor }
        if fd >= 0 { close(fd) }
    }

    public func publish(_ samples: [Sample]) async throws {
        guard !samples.isEmpty else { return }
        let lines = samples.map { Array(($0.jsonLine + "\n").utf8) }
        let failure: String? = state.withLock { state in
            if state.descriptor < 0, let problem = openFile(&state) { return problem }
            var pending: [UInt8] = []
            for line in lines {
                if maxBytes > 0, backupCount > 0, state.size + pending.count > 0,
                   state.size + pending.count + line.count >= maxBytes {
                    if let problem = writeBytes(pending, &state) { return problem }
                    pending.removeAll(keepingCapacity: true)
                    if let problem = rotate(&state) { return problem }
                }
                pending += line
            }
            return writeBytes(pending, &state)
        }
        if let failure { throw PublishError("cannot write samples to \(path): \(failure)") }
    }

    private func openFile(_ state: inout State) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        var info = stat()
        state.size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        state.descriptor = fd
        return nil
    }

    private func writeBytes(_ bytes: [UInt8], _ state: inout State) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(state.descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        state.size += bytes.count
        return nil
    }

    private func rotate(_ state: inout State) -> String? {
        close(state.descriptor)
        state.descriptor = -1
        for index in stride(from: backupCount - 1, through: 1, by: -1) {
            let from = "\(path).\(index)", to = "\(path).\(index + 1)"
            if access(from, F_OK) == 0 {
                unlink(to)
                rename(from, to)
            }
        }
        unlink("\(path).1")
        if access(path, F_OK) == 0 { rename(path, "\(path).1") }
        return openFile(&state)
    }
}
