#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StratusCore
import Synchronization

/// Appends each meter message as one line of JSON to a file (the `file:///path` publisher), or
/// to standard output (`file:-`, used by `--dry-run`).
///
/// Each batch is written with one `write(2)` on a file opened with `O_APPEND`, so lines of
/// concurrent batches never interleave.
public final class FilePublisher: SamplePublisher {
    /// The path written, or `-` for standard output.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens (creating if needed) the file for appending.
    /// - Throws: ``PublisherError`` when the file cannot be opened.
    public init(path: String) throws(PublisherError) {
        self.path = path
        if path == "-" {
            descriptor = Mutex(STDOUT_FILENO)
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PublisherError("cannot open sample file \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = Mutex(fd)
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if fd != STDOUT_FILENO { close(fd) }
    }

    public func publish(_ messages: [MeterMessage]) async throws {
        guard !messages.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messages.count * 1024)
        for message in messages {
            TelemetryJSON.write(.dictionary(message.fields), to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        let failure: String? = descriptor.withLock { fd in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
        if let failure { throw PublisherError("cannot write samples to \(path): \(failure)") }
    }
}
