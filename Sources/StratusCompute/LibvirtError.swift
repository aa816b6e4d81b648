import CLibvirt

/// A failed libvirt call, with libvirt's own error code, domain and message.
///
/// Thrown by every wrapper of ``LibvirtConnection`` and ``LibvirtDomain``. The default libvirt
/// error handler (which prints to stderr) is silenced when the first connection is opened; the
/// error is read from the calling thread's last-error slot right after the failing call.
public struct LibvirtError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the error means for a caller, derived from ``code`` and ``domain``.
    public enum Kind: Sendable, Hashable {
        /// The driver does not implement the call (`VIR_ERR_NO_SUPPORT`, `…_ARGUMENT_UNSUPPORTED`,
        /// `…_OPERATION_UNSUPPORTED`): skip the meters it feeds.
        case unsupported
        /// The domain is gone (`VIR_ERR_NO_DOMAIN`): it vanished between discovery and polling.
        case noDomain
        /// The call is invalid in the domain's current state (`VIR_ERR_OPERATION_INVALID`, for
        /// example "domain is not running").
        case operationInvalid
        /// The connection to the hypervisor is lost or cannot be opened: reconnect.
        case connection
        /// Any other error.
        case other
    }

    /// libvirt's `virErrorNumber` (`VIR_ERR_*`), 0 when libvirt set no error.
    public var code: Int32
    /// libvirt's `virErrorDomain` (`VIR_FROM_*`): the subsystem that raised the error.
    public var domain: Int32
    /// libvirt's message.
    public var message: String
    /// The libvirt function that failed, such as `virDomainBlockStats`.
    public var operation: String

    /// Creates an error.
    public init(code: Int32, domain: Int32 = 0, message: String, operation: String) {
        self.code = code
        self.domain = domain
        self.message = message
        self.operation = operation
    }

    /// What the error means for a caller.
    public var kind: Kind {
        switch UInt32(bitPattern: code) {
        case VIR_ERR_NO_SUPPORT.rawValue, VIR_ERR_ARGUMENT_UNSUPPORTED.rawValue, VIR_ERR_OPERATION_UNSUPPORTED.rawValue:
            return .unsupported
        case VIR_ERR_NO_DOMAIN.rawValue:
            return .noDomain
        case VIR_ERR_OPERATION_INVALID.rawValue:
            return .operationInvalid
        case VIR_ERR_NO_CONNECT.rawValue, VIR_ERR_INVALID_CONN.rawValue, VIR_ERR_RPC.rawValue,
             VIR_ERR_AUTH_FAILED.rawValue:
            return .connection
        case VIR_ERR_SYSTEM_ERROR.rawValue, VIR_ERR_INTERNAL_ERROR.rawValue:
            // Ceilometer's retry_on_disconnect: these two codes from the remote or RPC layer
            // mean the daemon went away.
            let from = UInt32(bitPattern: domain)
            return from == VIR_FROM_REMOTE.rawValue || from == VIR_FROM_RPC.rawValue ? .connection : .other
        default:
            return .other
        }
    }

    public var description: String {
        "\(operation) failed: \(message) (libvirt error \(code), from \(domain))"
    }

    /// The calling thread's last libvirt error, then cleared.
    /// - Parameter operation: The function that just failed.
    static func last(_ operation: String) -> LibvirtError {
        guard let error = virGetLastError() else {
            // libvirt is loaded on first use (CLibvirt): when it could not be, say why.
            let reason = stratus_virt_load_error().map { String(cString: $0) } ?? "unknown libvirt error"
            return LibvirtError(code: 0, message: reason, operation: operation)
        }
        let result = LibvirtError(
            code: error.pointee.code, domain: error.pointee.domain,
            message: error.pointee.message.map { String(cString: $0) } ?? "unknown libvirt error",
            operation: operation)
        virResetLastError()
        return result
    }
}
