import Foundation
import Synchronization

/// Decoded sack packs kept between reads, so that reading many metrics (an aggregation across 10,000 of them,
/// a dashboard refreshing) does not read and checksum the same packs again.
///
/// An entry is served only while the file is the very one it was read from: same device, inode, size,
/// modification and change time (packs are replaced by rename, which gives a new inode; an in-place change
/// updates the times). Only packs last modified at least `settledAge` before they were read are kept, so a
/// change within the file system's timestamp granularity cannot go unseen. Bounded by the packs' total size.
final class PackCache: Sendable {
    /// What identifies one version of a pack file.
    struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
    }

    private struct Entry {
        var identity: FileIdentity
        var contents: SackContents
        var bytes: Int
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int
    let settledAge: Int64

    init(capacityBytes: Int = 64 << 20, settledAge: Int64 = 1_000_000_000) {
        self.capacityBytes = capacityBytes
        self.settledAge = settledAge
    }

    /// The identity of the file at `path` now, nil when it does not exist or cannot be examined.
    static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec, changed = info.st_ctimespec
        #else
        let modified = info.st_mtim, changed = info.st_ctim
        #endif
        return FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec),
            changed: Int64(changed.tv_sec) * 1_000_000_000 + Int64(changed.tv_nsec))
    }

    /// The cached contents of `sack` if they were read from the file version `identity`.
    func contents(sack: Int, identity: FileIdentity) -> SackContents? {
        state.withLock { state in
            guard let entry = state.entries[sack], entry.identity == identity else { return nil }
            return entry.contents
        }
    }

    /// Keeps `contents`, read from a file whose identity was taken before reading, if the file had settled.
    func store(sack: Int, identity: FileIdentity, contents: SackContents, now: Int64) {
        let size = Int(identity.size)
        guard now - max(identity.modified, identity.changed) >= settledAge, size <= capacityBytes else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: sack) { state.bytes -= old.bytes }
            while state.bytes + size > capacityBytes, let victim = state.entries.keys.first {
                state.bytes -= state.entries.removeValue(forKey: victim)?.bytes ?? 0
            }
            state.entries[sack] = Entry(identity: identity, contents: contents, bytes: size)
            state.bytes += size
        }
    }

    /// Forgets `sack` (after this process replaced its pack).
    func remove(sack: Int) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: sack) { state.bytes -= old.bytes }
        }
    }
}
