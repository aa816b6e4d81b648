import CLibvirt

/// One value of a libvirt typed parameter (`virTypedParameter`).
public enum TypedParameterValue: Sendable, Hashable {
    /// `VIR_TYPED_PARAM_INT` / `UINT` / `LLONG`: a signed value.
    case int(Int64)
    /// `VIR_TYPED_PARAM_ULLONG`: an unsigned 64-bit value.
    case unsigned(UInt64)
    /// `VIR_TYPED_PARAM_DOUBLE`.
    case double(Double)
    /// `VIR_TYPED_PARAM_BOOLEAN`.
    case bool(Bool)
    /// `VIR_TYPED_PARAM_STRING`.
    case string(String)

    /// The value as an unsigned integer, when it is a non-negative integer.
    public var uint64: UInt64? {
        switch self {
        case .int(let value): value >= 0 ? UInt64(value) : nil
        case .unsigned(let value): value
        default: nil
        }
    }

    /// The value as a signed integer, when it is an integer that fits.
    public var int64: Int64? {
        switch self {
        case .int(let value): value
        case .unsigned(let value): value <= UInt64(Int64.max) ? Int64(value) : nil
        default: nil
        }
    }

    /// The string, when the value is one.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// Typed parameters by field name (`cpu.time`, `block.0.rd.reqs`, `rd_total_times`, …), as
/// libvirt returns them from bulk stats, `virDomainBlockStatsFlags` and `virDomainGetPerfEvents`.
public struct TypedParameters: Sendable, Hashable {
    /// The values by field name; a repeated field keeps its first value, as libvirt's getters do.
    public var values: [String: TypedParameterValue]

    /// Creates parameters from values.
    public init(_ values: [String: TypedParameterValue] = [:]) {
        self.values = values
    }

    /// Reads a C array of typed parameters. Fields of an unknown type are skipped.
    /// - Parameters:
    ///   - parameters: The first parameter (may be nil when `count` is 0).
    ///   - count: The number of parameters.
    public init(_ parameters: UnsafePointer<virTypedParameter>?, count: Int) {
        var values = [String: TypedParameterValue](minimumCapacity: max(count, 0))
        guard let parameters, count > 0 else {
            self.values = values
            return
        }
        for index in 0..<count {
            let parameter = parameters[index]
            let field = Self.fieldName(parameters + index)
            guard values[field] == nil, let value = Self.value(of: parameter) else { continue }
            values[field] = value
        }
        self.values = values
    }

    /// The value of `field`.
    public subscript(field: String) -> TypedParameterValue? { values[field] }

    /// The value of `field` as an unsigned integer.
    public func uint64(_ field: String) -> UInt64? { values[field]?.uint64 }

    /// The value of `field` as a signed integer.
    public func int64(_ field: String) -> Int64? { values[field]?.int64 }

    /// The value of `field` as a string.
    public func string(_ field: String) -> String? { values[field]?.string }

    /// Whether any field starts with `prefix` (a stats group such as `"balloon."`).
    public func hasField(withPrefix prefix: String) -> Bool {
        values.keys.contains { $0.hasPrefix(prefix) }
    }

    private static func fieldName(_ parameter: UnsafePointer<virTypedParameter>) -> String {
        // `field` is a fixed char[VIR_TYPED_PARAM_FIELD_LENGTH], NUL-terminated unless full.
        withUnsafeBytes(of: parameter.pointee.field) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        }
    }

    private static func value(of parameter: virTypedParameter) -> TypedParameterValue? {
        switch UInt32(bitPattern: parameter.type) {
        case VIR_TYPED_PARAM_INT.rawValue: return .int(Int64(parameter.value.i))
        case VIR_TYPED_PARAM_UINT.rawValue: return .int(Int64(parameter.value.ui))
        case VIR_TYPED_PARAM_LLONG.rawValue: return .int(parameter.value.l)
        case VIR_TYPED_PARAM_ULLONG.rawValue: return .unsigned(parameter.value.ul)
        case VIR_TYPED_PARAM_DOUBLE.rawValue: return .double(parameter.value.d)
        case VIR_TYPED_PARAM_BOOLEAN.rawValue: return .bool(parameter.value.b != 0)
        case VIR_TYPED_PARAM_STRING.rawValue:
            return parameter.value.s.map { .string(String(cString: $0)) } ?? .string("")
        default: return nil
        }
    }
}

/// One domain's record of bulk stats (`virDomainStatsRecord`): its UUID and typed parameters.
public struct DomainStatsRecord: Sendable, Hashable {
    /// The domain UUID.
    public var uuid: String
    /// The statistics (`state.state`, `cpu.time`, `vcpu.0.time`, `block.count`, …).
    public var parameters: TypedParameters

    /// Creates a record.
    public init(uuid: String, parameters: TypedParameters) {
        self.uuid = uuid
        self.parameters = parameters
    }

    /// Copies a libvirt record list (the caller frees it).
    static func read(_ records: UnsafeMutablePointer<virDomainStatsRecordPtr?>, count: Int) -> [DomainStatsRecord] {
        var result = [DomainStatsRecord]()
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let record = records[index], let domain = record.pointee.dom,
                  let uuid = LibvirtDomain.uuidString(domain) else { continue }
            result.append(DomainStatsRecord(
                uuid: uuid,
                parameters: TypedParameters(record.pointee.params, count: Int(record.pointee.nparams))))
        }
        return result
    }
}
