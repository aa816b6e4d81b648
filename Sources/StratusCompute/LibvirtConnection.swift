import CLibvirt
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// A read-only connection to a libvirt hypervisor (`qemu:///system`, `test:///default`, …) that
/// reopens itself, with backoff, when it drops.
///
/// Thread safety: libvirt connections and domain handles may be used from several threads at
/// once (libvirt serialises what needs it), hence `@unchecked Sendable`. The only mutable state of
/// this class, the current `virConnectPtr` and the backoff, is guarded by a `Mutex`; every call
/// holds its own reference to the pointer (`virConnectRef`) so that a reconnect on another thread
/// never frees a connection in use.
public final class LibvirtConnection: @unchecked Sendable {
    /// The URI the connection opens (`compute.libvirt_uri`).
    public let uri: String

    private struct State {
        var pointer: OpaquePointer?
        var backoff: ReconnectBackoff
        var lastError: LibvirtError?
    }

    private let state: Mutex<State>
    private let now: @Sendable () -> Double
    private let logger: Logger

    /// Opens a read-only connection.
    /// - Parameters:
    ///   - uri: The libvirt URI.
    ///   - backoff: How long to wait between reconnection attempts once the connection is lost.
    ///   - logger: Where reconnections are logged.
    ///   - now: Seconds on a monotonic clock (injected by tests).
    /// - Throws: ``LibvirtError`` when the first connection cannot be opened.
    public init(
        uri: String, backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger = Logger(label: "stratus.compute"),
        now: @escaping @Sendable () -> Double = LibvirtConnection.monotonicSeconds
    ) throws(LibvirtError) {
        Self.silenceDefaultErrorHandler
        self.uri = uri
        self.logger = logger
        self.now = now
        let pointer = try Self.open(uri)
        state = Mutex(State(pointer: pointer, backoff: backoff))
    }

    /// Creates a connection that does not fail when the hypervisor is not reachable yet: the
    /// first open is attempted now and, if it fails, again on use, with backoff (an agent
    /// started before libvirtd keeps running and starts polling once libvirtd is up).
    /// - Parameters: As ``init(uri:backoff:logger:now:)``.
    public init(
        connectingLaterIfNeeded uri: String, backoff: ReconnectBackoff = ReconnectBackoff(),
        logger: Logger = Logger(label: "stratus.compute"),
        now: @escaping @Sendable () -> Double = LibvirtConnection.monotonicSeconds
    ) {
        Self.silenceDefaultErrorHandler
        self.uri = uri
        self.logger = logger
        self.now = now
        var initial = State(pointer: nil, backoff: backoff)
        switch Self.openResult(uri) {
        case .success(let pointer):
            initial.pointer = pointer
        case .failure(let error):
            initial.backoff.recordFailure(at: now())
            initial.lastError = error
            logger.info("libvirt connection failed, will retry", metadata: ["libvirt.uri": "\(uri)", "error": "\(error)"])
        }
        state = Mutex(initial)
    }

    deinit {
        state.withLock { state in
            if let pointer = state.pointer { virConnectClose(pointer) }
            state.pointer = nil
        }
    }

    /// Runs `body` with a live connection, reopening it first if it was lost (at most once per
    /// backoff delay; in between, the last reconnection error is thrown at once).
    /// - Throws: ``LibvirtError`` from reconnecting or from `body`; a connection-kind error
    ///   from `body` marks the connection lost so that the next call reconnects.
    public func withConnection<T>(_ body: (OpaquePointer) throws(LibvirtError) -> T) throws(LibvirtError) -> T {
        let pointer = try acquire()
        defer { virConnectClose(pointer) }
        do {
            return try body(pointer)
        } catch {
            if error.kind == .connection || virConnectIsAlive(pointer) == 0 {
                invalidate(pointer)
            }
            throw error
        }
    }

    /// Whether the connection is currently open and alive.
    public var isAlive: Bool {
        state.withLock { state in state.pointer.map { virConnectIsAlive($0) == 1 } ?? false }
    }

    /// Failed (re)connection attempts since the last success.
    public var consecutiveFailures: Int {
        state.withLock { $0.backoff.failures }
    }

    /// Marks the connection lost: the next call reopens it (subject to backoff).
    public func invalidate() {
        state.withLock { state in
            if let pointer = state.pointer { virConnectClose(pointer) }
            state.pointer = nil
        }
    }

    // MARK: - Calls

    /// Every domain of the hypervisor, active and inactive.
    public func listAllDomains() throws(LibvirtError) -> [LibvirtDomain] {
        try withConnection { (connection) throws(LibvirtError) -> [LibvirtDomain] in
            var list: UnsafeMutablePointer<OpaquePointer?>?
            let count = virConnectListAllDomains(connection, &list, 0)
            guard count >= 0, let list else { throw LibvirtError.last("virConnectListAllDomains") }
            defer { free(list) }
            var domains = [LibvirtDomain]()
            domains.reserveCapacity(Int(count))
            for index in 0..<Int(count) {
                if let pointer = list[index] { domains.append(LibvirtDomain(taking: pointer)) }
            }
            return domains
        }
    }

    /// The domain with this UUID.
    /// - Throws: ``LibvirtError`` of kind ``LibvirtError/Kind/noDomain`` when it does not exist.
    public func lookupDomain(uuid: String) throws(LibvirtError) -> LibvirtDomain {
        try withConnection { (connection) throws(LibvirtError) -> LibvirtDomain in
            guard let pointer = virDomainLookupByUUIDString(connection, uuid) else {
                throw LibvirtError.last("virDomainLookupByUUIDString")
            }
            return LibvirtDomain(taking: pointer)
        }
    }

    /// Bulk statistics of every domain (`virConnectGetAllDomainStats`) for the given groups
    /// (`VIR_DOMAIN_STATS_*` bits). Groups the driver does not support are silently absent from
    /// the records, as libvirt does without `ENFORCE_STATS`.
    public func allDomainStats(groups: UInt32) throws(LibvirtError) -> [DomainStatsRecord] {
        try withConnection { (connection) throws(LibvirtError) -> [DomainStatsRecord] in
            var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>?
            let count = virConnectGetAllDomainStats(connection, groups, &records, 0)
            guard count >= 0, let records else { throw LibvirtError.last("virConnectGetAllDomainStats") }
            defer { virDomainStatsRecordListFree(records) }
            return DomainStatsRecord.read(records, count: Int(count))
        }
    }

    // MARK: - Internals

    private func acquire() throws(LibvirtError) -> OpaquePointer {
        let result: Result<OpaquePointer, LibvirtError> = state.withLock { state in
            if let pointer = state.pointer {
                if virConnectIsAlive(pointer) == 1 {
                    virConnectRef(pointer)
                    return .success(pointer)
                }
                virConnectClose(pointer)
                state.pointer = nil
                logger.info("libvirt connection lost", metadata: ["libvirt.uri": "\(uri)"])
            }
            let time = now()
            guard state.backoff.mayAttempt(at: time) else {
                return .failure(state.lastError ?? LibvirtError(
                    code: Int32(VIR_ERR_NO_CONNECT.rawValue), message: "connection to \(uri) lost",
                    operation: "virConnectOpenReadOnly"))
            }
            switch Self.openResult(uri) {
            case .success(let pointer):
                state.pointer = pointer
                state.backoff.recordSuccess()
                state.lastError = nil
                logger.info("libvirt connection reopened", metadata: ["libvirt.uri": "\(uri)"])
                virConnectRef(pointer)
                return .success(pointer)
            case .failure(let error):
                state.backoff.recordFailure(at: time)
                state.lastError = error
                logger.info("libvirt reconnection failed", metadata: [
                    "libvirt.uri": "\(uri)", "error": "\(error)",
                    "retry.seconds": "\(state.backoff.currentDelay)",
                ])
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func invalidate(_ pointer: OpaquePointer) {
        let address = UInt(bitPattern: pointer)
        state.withLock { state in
            guard let current = state.pointer, UInt(bitPattern: current) == address else { return }
            virConnectClose(current)
            state.pointer = nil
        }
    }

    private static func openResult(_ uri: String) -> Result<OpaquePointer, LibvirtError> {
        guard let pointer = virConnectOpenReadOnly(uri) else { return .failure(LibvirtError.last("virConnectOpenReadOnly")) }
        return .success(pointer)
    }

    private static func open(_ uri: String) throws(LibvirtError) -> OpaquePointer {
        guard let pointer = virConnectOpenReadOnly(uri) else { throw LibvirtError.last("virConnectOpenReadOnly") }
        return pointer
    }

    /// Initialises libvirt (thread-local error storage and the like) and installs its silent error
    /// handler, once per process. Call it before any other libvirt function: opening a connection does.
    /// Calling libvirt (even `virTypedParamsAdd*`) uninitialised from several threads crashes in glib.
    public static func initializeLibrary() { silenceDefaultErrorHandler }

    /// Installs a silent process-wide error handler once, so that libvirt never prints errors to
    /// stderr; errors are reported as ``LibvirtError`` instead.
    private static let silenceDefaultErrorHandler: Void = {
        _ = virInitialize()
        stratus_virt_silence_errors()
    }()

    /// Seconds on the monotonic clock.
    @Sendable public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
