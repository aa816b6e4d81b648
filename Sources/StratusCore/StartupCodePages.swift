#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Gives back the pages of the executable's code that only start-up touched.
///
/// A long-running role touches a large part of the binary's code once, at start-up: the Swift runtime
/// scans every protocol conformance record of the binary on its first dynamic casts, and the kernel maps
/// 64 KiB around every page fault. Measured on the release all-in-one (`docs/performance.md`), about 30 of
/// its 42 MiB of RSS were such clean code pages, while the process's own memory (heap, stacks) was under
/// 4 MiB. ``release()`` drops the mappings of those pages with `madvise(MADV_DONTNEED)`: the pages stay in
/// the page cache, and whatever code runs later maps its pages again with a minor fault.
///
/// Only mappings that are safe to drop are touched: file-backed `r-xp` mappings (the executable's code and
/// that of the shared libraries it loaded) without any anonymous (copy-on-write) page. Relocated data
/// (`.data`, RELRO) and special mappings (`[vdso]`) are never advised, so nothing is lost; other processes
/// mapping the same libraries are not affected.
public enum StartupCodePages {
    /// Advises away the clean code mappings of the running process (Linux; elsewhere nothing).
    /// - Returns: the bytes of address space advised (not all of it was resident).
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return 0 }
        var advised = 0
        for mapping in cleanCodeMappings(smaps: smaps) {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.lowerBound) else { continue }
            if madvise(start, mapping.count, MADV_DONTNEED) == 0 { advised += mapping.count }
        }
        return advised
        #else
        return 0
        #endif
    }

    /// The address ranges of the file-backed `r-xp` mappings without anonymous pages (of `executable` only,
    /// when given), read from the text of `/proc/<pid>/smaps`.
    public static func cleanCodeMappings(smaps: String, executable: String? = nil) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var current: Range<Int>?
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if !first.hasSuffix(":") {
                // A mapping's header: `start-end perms offset dev inode [path]`.
                current = nil
                let bounds = first.split(separator: "-")
                let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
                guard fields.count >= 6, fields[1] == "r-xp", path.hasPrefix("/"), executable == nil || path == executable,
                      bounds.count == 2, let low = Int(bounds[0], radix: 16), let high = Int(bounds[1], radix: 16),
                      low < high
                else { continue }
                current = low..<high
            } else if first == "Anonymous:", let range = current {
                if fields.count >= 2, fields[1] == "0" { ranges.append(range) }
                current = nil
            }
        }
        return ranges
    }
}
