#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import StratusCore
import Synchronization

/// `udp://host[:port]` (default port 4952): sends each sample as one datagram, the MessagePack
/// of its meter message signed with `[publisher] telemetry_secret`, exactly as Ceilometer's
/// `UDPPublisher` (`msgpack.dumps(meter_message_from_counter(sample, secret), use_bin_type=True)`,
/// keys in Ceilometer's order; reference B9).
///
/// The host is resolved and the socket opened on the first batch. A datagram that cannot be sent
/// is logged; the batch then fails once all its samples were tried.
public final class UDPPublisher: Publisher {
    /// The destination host.
    public let host: String
    /// The destination port.
    public let port: UInt16
    private let secret: String
    private let logger: Logger

    private struct Socket {
        var descriptor: Int32 = -1
        var address = sockaddr_storage()
        var length: socklen_t = 0
    }

    private let state = Mutex(Socket())

    /// Reads the URL.
    /// - Throws: ``PublisherConfigurationError`` without a host or with a bad port.
    public init(url: PublisherURL, context: PublisherContext) throws(PublisherConfigurationError) {
        var location = Substring(url.location)
        if let slash = location.firstIndex(of: "/") { location = location[..<slash] }
        var hostPart = location
        var portPart: Substring?
        if location.hasPrefix("[") {
            guard let close = location.firstIndex(of: "]") else {
                throw PublisherConfigurationError("publisher '\(url.text)': invalid IPv6 address")
            }
            hostPart = location[location.index(after: location.startIndex)..<close]
            let rest = location[location.index(after: close)...]
            if rest.hasPrefix(":") { portPart = rest.dropFirst() }
        } else if location.filter({ $0 == ":" }).count == 1, let colon = location.firstIndex(of: ":") {
            hostPart = location[..<colon]
            portPart = location[location.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw PublisherConfigurationError("publisher '\(url.text)': the host is required (udp://host[:port])") }
        if let portPart {
            guard let value = UInt16(portPart), value > 0 else {
                throw PublisherConfigurationError("publisher '\(url.text)': port '\(portPart)' is not a number from 1 to 65535")
            }
            port = value
        } else {
            port = 4952
        }
        host = String(hostPart)
        secret = context.configuration.telemetrySecret
        logger = context.logger
    }

    deinit {
        let descriptor = state.withLock { $0.descriptor }
        if descriptor >= 0 { close(descriptor) }
    }

    /// The datagram of one sample.
    public func datagram(_ sample: Sample) -> [UInt8] {
        MsgPack.encode(.dictionary(MeterMessage(sample: sample, secret: secret).fields), topLevelOrder: MeterMessage.fieldNames)
    }

    public func publish(_ samples: [Sample]) async throws {
        guard !samples.isEmpty else { return }
        let datagrams = samples.map(datagram)
        let failure: String? = self.state.withLock { state in
            if state.descriptor < 0, let problem = open(&state) { return problem }
            var failed = 0
            var last = ""
            for bytes in datagrams {
                let sent = bytes.withUnsafeBytes { raw in
                    withUnsafePointer(to: &state.address) { address in
                        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(state.descriptor, raw.baseAddress, raw.count, 0, $0, state.length)
                        }
                    }
                }
                if sent < 0 {
                    failed += 1
                    last = String(cString: strerror(errno))
                }
            }
            return failed == 0 ? nil : "\(failed) of \(datagrams.count) datagram(s) not sent: \(last)"
        }
        if let failure {
            logger.warning("Unable to send sample over UDP", metadata: ["udp.host": .string(host), "udp.port": "\(port)", "error": .string(failure)])
            throw PublishError("udp://\(host):\(port): \(failure)")
        }
    }

    /// Resolves the host (IPv6 first, then IPv4, as Ceilometer) and opens the socket.
    private func open(_ state: inout Socket) -> String? {
        var result: UnsafeMutablePointer<addrinfo>?
        var hints = addrinfo()
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var status: Int32 = -1
        for family in [AF_INET6, AF_INET] {
            hints.ai_family = family
            status = getaddrinfo(host, String(port), &hints, &result)
            if status == 0 { break }
        }
        guard status == 0, let info = result else {
            return "cannot resolve \(host): " + String(cString: gai_strerror(status))
        }
        defer { freeaddrinfo(result) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, 0)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        withUnsafeMutableBytes(of: &state.address) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
        state.length = info.pointee.ai_addrlen
        state.descriptor = descriptor
        return nil
    }
}
