#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port nobody listens on, asked from the kernel (bind to port 0, read it, close): for a
/// server whose port must be known before it starts (all-in-one's in-process clients, tests).
public enum FreePort {
    /// No port could be had.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A free port on `host` (an IPv4 address; anything else asks on 127.0.0.1).
    /// - Throws: ``Failure`` when no socket can be bound.
    public static func pick(host: String = "127.0.0.1") throws(Failure) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        if inet_pton(AF_INET, host, &address.sin_addr) != 1 { address.sin_addr.s_addr = inet_addr("127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw Failure(description: "cannot find a free port on \(host)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
