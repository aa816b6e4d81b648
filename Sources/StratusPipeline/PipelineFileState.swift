#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StratusCore

/// What ``PipelineManager`` remembers of its file to detect a change: modification time and a
/// hash of the content (Ceilometer's `cfg_changed`: mtime, then md5).
struct PipelineFileState: Sendable, Hashable {
    /// Seconds and nanoseconds.
    var modificationTime: [Int]
    /// FNV-1a 64 of the content.
    var hash: UInt64
    var text: String

    static func read(_ path: String) throws(PipelineDefinitionError) -> PipelineFileState {
        let modification = modificationTime(path)
        guard let file = fopen(path, "rb") else {
            throw PipelineDefinitionError([ConfigurationError(
                file: path, reason: "cannot read the pipeline definitions: \(String(cString: strerror(errno)))")])
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count { break }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PipelineDefinitionError([ConfigurationError(file: path, reason: "the pipeline definitions are not UTF-8 text")])
        }
        return PipelineFileState(modificationTime: modification ?? [], hash: fnv1a(bytes), text: text)
    }

    static func modificationTime(_ path: String) -> [Int]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return [Int(info.st_mtimespec.tv_sec), Int(info.st_mtimespec.tv_nsec)]
        #else
        return [Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        #endif
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
