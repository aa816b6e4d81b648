#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the host's statistics from `/proc` and `/sys` (or from a copy of them under another
/// root, for tests). Every parser also works on text alone.
public struct HostStatsReader: Sendable, Hashable {
    /// The directory holding `proc/` and `sys/` (default `/`).
    public let root: String

    /// A reader of the tree under `root`.
    public init(root: String = "/") {
        self.root = root.hasSuffix("/") ? root : root + "/"
    }

    /// A statistics file missing or unreadable.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// Why.
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// The text of `relative` (such as `proc/meminfo`).
    public func read(_ relative: String) throws(ReadError) -> String {
        let path = root + relative
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Parsers

    /// `/proc/meminfo`: values in kB by field name (`MemTotal`, `MemAvailable`, `Buffers`…).
    public static func parseMeminfo(_ text: String) -> [String: Int64] {
        var values: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ")
            if let first = fields.first, let value = Int64(first) { values[String(line[..<colon])] = value }
        }
        return values
    }

    /// `/proc/loadavg`: the 1, 5 and 15 minute load averages.
    public static func parseLoadavg(_ text: String) -> (Double, Double, Double)? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 3, let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2])
        else { return nil }
        return (one, five, fifteen)
    }

    /// The aggregate `cpu` line of `/proc/stat`, in clock ticks.
    public static func parseCPUTimes(_ text: String) -> CPUTimes? {
        for line in text.split(separator: "\n") where line.hasPrefix("cpu ") {
            let values = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
            guard values.count >= 4 else { return nil }
            return CPUTimes(values: values)
        }
        return nil
    }

    /// `/proc/net/dev`: per interface, received bytes, sent bytes and send errors.
    public static func parseNetDev(_ text: String) -> [NetworkInterfaceCounters] {
        var interfaces: [NetworkInterfaceCounters] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingSpaces()
            let values = line[line.index(after: colon)...].split(separator: " ").compactMap { Int64($0) }
            guard !name.isEmpty, values.count >= 16 else { continue }
            interfaces.append(NetworkInterfaceCounters(
                name: name, receivedBytes: values[0], sentBytes: values[8], sendErrors: values[10]))
        }
        return interfaces
    }

    /// One row of a `/proc/net/snmp` table (`Ip`, `Tcp`…) as name → value.
    public static func parseSNMP(_ text: String, table: String) -> [String: Int64] {
        let lines = text.split(separator: "\n").filter { $0.hasPrefix(table + ":") }
        guard lines.count >= 2 else { return [:] }
        let names = lines[0].split(separator: " ").dropFirst()
        let values = lines[1].split(separator: " ").dropFirst()
        var result: [String: Int64] = [:]
        for (name, value) in zip(names, values) {
            if let number = Int64(value) { result[String(name)] = number }
        }
        return result
    }

    /// `/proc/diskstats`, whole disks only (no partitions, loop, ram or device-mapper
    /// devices), as reads, sectors read, writes, sectors written.
    /// - Parameter isWholeDisk: Whether a device name is a whole disk (by default: it has a
    ///   `device` entry under `sys/block/<name>` and no `partition` file there).
    public static func parseDiskstats(_ text: String, isWholeDisk: (String) -> Bool) -> [DiskCounters] {
        var disks: [DiskCounters] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 10 else { continue }
            let name = String(fields[2])
            guard !name.hasPrefix("loop"), !name.hasPrefix("ram"), !name.hasPrefix("dm-"), !name.hasPrefix("zram"),
                  isWholeDisk(name)
            else { continue }
            guard let reads = Int64(fields[3]), let sectorsRead = Int64(fields[5]), let writes = Int64(fields[7]),
                  let sectorsWritten = Int64(fields[9])
            else { continue }
            disks.append(DiskCounters(
                name: name, reads: reads, sectorsRead: sectorsRead, writes: writes, sectorsWritten: sectorsWritten))
        }
        return disks
    }

    /// `/proc/mounts`: device, mount point and type of each real file system (no `proc`,
    /// `sysfs`, `tmpfs`, `overlay`… and each mount point once).
    public static func parseMounts(_ text: String) -> [MountedFileSystem] {
        var seen: Set<String> = []
        var mounts: [MountedFileSystem] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let type = String(fields[2])
            guard !virtualFileSystems.contains(type) else { continue }
            let path = unescapeMount(String(fields[1]))
            guard seen.insert(path).inserted else { continue }
            mounts.append(MountedFileSystem(device: unescapeMount(String(fields[0])), path: path, type: type))
        }
        return mounts
    }

    /// File system types that hold no disk space.
    public static let virtualFileSystems: Set<String> = [
        "proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "pstore", "debugfs",
        "tracefs", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc", "bpf", "overlay",
        "nsfs", "rpc_pipefs", "ramfs", "squashfs", "efivarfs", "fuse.lxcfs", "fuse.gvfsd-fuse", "selinuxfs",
        "shm", "none",
    ]

    /// `\040` and friends in `/proc/mounts` fields.
    static func unescapeMount(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
               let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Readers of this tree

    /// Whether `sys/block/<name>` exists (a whole disk, not a partition).
    public func isWholeDisk(_ name: String) -> Bool {
        access(root + "sys/block/" + name, F_OK) == 0
    }

    /// The MAC address of an interface without separators, as Ceilometer's SNMP inspector
    /// reported it, or nil.
    public func macAddress(interface: String) -> String? {
        guard let text = try? read("sys/class/net/\(interface)/address") else { return nil }
        let mac = text.trimmingSpaces().filter { $0 != ":" && $0 != "\n" }
        return mac.isEmpty ? nil : mac
    }

    /// The interface speed in bytes per second (`speed` is in Mbit/s), or nil when unknown.
    public func speedBytesPerSecond(interface: String) -> Int64? {
        guard let text = try? read("sys/class/net/\(interface)/speed"),
              let mbits = Int64(text.trimmingSpaces().filter { $0 != "\n" }), mbits > 0
        else { return nil }
        return mbits * 1_000_000 / 8
    }

    /// Total and used kilobytes of the file system mounted at `path` (as `df`: used = total −
    /// free), or nil when it cannot be read.
    public static func fileSystemUsage(path: String) -> (totalKB: Int64, usedKB: Int64)? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let fragment = Int64(stats.f_frsize == 0 ? stats.f_bsize : stats.f_frsize)
        let total = Int64(stats.f_blocks) * fragment / 1024
        let free = Int64(stats.f_bfree) * fragment / 1024
        return (total, total - free)
    }
}

/// CPU time counters of `/proc/stat`, in clock ticks: user, nice, system, idle, iowait, irq,
/// softirq, steal…
public struct CPUTimes: Sendable, Hashable {
    /// The counters in `/proc/stat` order.
    public var values: [Int64]

    /// Creates the counters.
    public init(values: [Int64]) {
        self.values = values
    }

    /// Ticks idle (idle + iowait).
    public var idle: Int64 { values[3] + (values.count > 4 ? values[4] : 0) }
    /// All ticks (guest time is already counted in user and nice, so only the first eight).
    public var total: Int64 { values.prefix(8).reduce(0, +) }
}

/// Counters of one network interface.
public struct NetworkInterfaceCounters: Sendable, Hashable {
    public var name: String
    public var receivedBytes: Int64
    public var sentBytes: Int64
    public var sendErrors: Int64
}

/// Counters of one whole disk (sectors are 512 bytes).
public struct DiskCounters: Sendable, Hashable {
    public var name: String
    public var reads: Int64
    public var sectorsRead: Int64
    public var writes: Int64
    public var sectorsWritten: Int64
}

/// One mounted file system.
public struct MountedFileSystem: Sendable, Hashable {
    public var device: String
    public var path: String
    public var type: String
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
