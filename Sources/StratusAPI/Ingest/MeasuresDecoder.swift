import Foundation
import NIOCore
import StratusCore
import StratusStorage

/// Decodes measures request bodies straight from their bytes into timestamp and value arrays, validating them
/// exactly as Gnocchi's `MeasuresListSchema` does, without building a JSON tree.
///
/// - `POST /v1/metric/{id}/measures`: `[{"timestamp": …, "value": …}, …]` → ``decodeMeasures(_:now:)``.
/// - `POST /v1/batch/metrics/measures`: `{"<metric uuid>": [measures], …}` → ``decodeBatch(_:now:)``.
///
/// Syntax errors win over validation errors anywhere in the document (Gnocchi parses the whole body first).
/// Within one list, as in Gnocchi: a malformed measure ("unexpected measures format") wins over a timestamp
/// that cannot be converted, which wins over a timestamp before the epoch, which wins over a bad value.
/// Timestamps follow `utils.to_timestamps`: the kind of the first one (epoch number, ISO 8601, or relative to
/// now) decides how all of them are read, so mixing kinds fails — except that relative lists take numbers as
/// seconds from now, as Gnocchi does.
///
/// Where Gnocchi stores garbage or crashes, Stratus refuses: a missing `timestamp` (Gnocchi: 500) is
/// "unexpected measures format"; a later null, NaN or infinite timestamp (Gnocchi: NaT) and a number after an
/// ISO date (Gnocchi: read as nanoseconds) are "Unable to convert timestamps". Epoch numbers are converted
/// exactly to the nanosecond, where Gnocchi multiplies a float by 1e9.
enum MeasuresDecoder {
    /// Why a body was refused.
    struct Failure: Error, Equatable, CustomStringConvertible {
        enum Kind: Equatable {
            /// Not JSON: Gnocchi's `{"cause": "Unable to decode body", "reason": …}`.
            case undecodable
            /// JSON that the schema refuses: voluptuous's `{"cause": "Invalid input", "reason": …, "detail": path}`.
            case invalid
        }

        var kind: Kind
        var reason: String
        /// The voluptuous path (the batch key concerned), empty for a single list.
        var path: [String] = []

        var description: String { "\(kind): \(reason)" + (path.isEmpty ? "" : " \(path)") }

        /// Gnocchi's 400 answer: `UnableToDecodeBody` (its `detail`, the consumed body file, prints as `[]`)
        /// or voluptuous's `Invalid`.
        var apiError: APIError {
            switch kind {
            case .undecodable:
                APIError(.badRequest, detail: ["cause": "Unable to decode body", "reason": .string(reason), "detail": []])
            case .invalid:
                APIError.invalidInput(reason, path: path)
            }
        }
    }

    /// Decodes a measures list.
    /// - Parameters:
    ///   - body: The request body.
    ///   - now: The current time (ns since the epoch) for relative timestamps.
    /// - Throws: `Failure`.
    static func decodeMeasures(_ body: UnsafeBufferPointer<UInt8>, now: Int64) throws(Failure) -> PendingMeasures {
        var scanner = JSONByteScanner(body)
        let result: Result<PendingMeasures, ListError>
        do {
            scanner.skipWhitespace()
            result = try decodeList(&scanner, now: now, depth: 0)
            try scanner.expectEnd()
        } catch {
            throw Failure(kind: .undecodable, reason: error.description)
        }
        switch result {
        case .success(let measures): return measures
        case .failure(let error): throw Failure(kind: .invalid, reason: error.reason)
        }
    }

    /// Decodes a batch keyed by metric id. Keys are read as Python's `uuid.UUID` does; when two keys spell
    /// the same text or the same id, the later one wins, as in Gnocchi.
    /// - Returns: The measures of every metric, in first-appearance order of their keys.
    /// - Throws: `Failure`; for an invalid key or list, the first one in document order, with its key as path.
    static func decodeBatch(_ body: UnsafeBufferPointer<UInt8>, now: Int64) throws(Failure) -> [(id: UUID, measures: PendingMeasures)] {
        var scanner = JSONByteScanner(body)
        var entries: [(key: String, id: UUID?, result: Result<PendingMeasures, ListError>)] = []
        var positions: [String: Int] = [:]
        var isObject = true
        do {
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: "{") {
                if scanner.open(closing: UInt8(ascii: "}")) {
                    repeat {
                        let key = scanner.string(try scanner.memberKey())
                        let result = try decodeList(&scanner, now: now, depth: 1)
                        if let position = positions[key] {
                            entries[position].result = result  // Python dict: first position, last value
                        } else {
                            positions[key] = entries.count
                            entries.append((key, PythonUUID.parse(key), result))
                        }
                    } while try scanner.next(closing: UInt8(ascii: "}"))
                }
            } else {
                isObject = false
                _ = try scanner.scanValue(depth: 0)
            }
            try scanner.expectEnd()
        } catch {
            throw Failure(kind: .undecodable, reason: error.description)
        }
        guard isObject else { throw Failure(kind: .invalid, reason: "expected a dictionary") }

        var order: [UUID] = []
        var measures: [UUID: PendingMeasures] = [:]
        for entry in entries {
            // The voluptuous path is only spelled out on the error path (it costs a Python repr per metric).
            func path() -> String { "@ data[\(PythonRepr.string(entry.key))]" }
            guard let id = entry.id else {
                throw Failure(kind: .invalid, reason: "not a valid value \(path())", path: [entry.key])
            }
            switch entry.result {
            case .failure(let error):
                throw Failure(kind: .invalid, reason: "\(error.reason) for dictionary value \(path())", path: [entry.key])
            case .success(let list):
                if measures.updateValue(list, forKey: id) == nil { order.append(id) }
            }
        }
        return order.map { ($0, measures[$0]!) }
    }

    /// Decodes a measures list from a byte buffer.
    static func decodeMeasures(_ body: ByteBuffer, now: Int64) throws(Failure) -> PendingMeasures {
        let outcome: Result<PendingMeasures, Failure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(Failure) in try decodeMeasures(raw.assumingMemoryBound(to: UInt8.self), now: now) }
        }
        return try outcome.get()
    }

    /// Decodes a batch from a byte buffer.
    static func decodeBatch(_ body: ByteBuffer, now: Int64) throws(Failure) -> [(id: UUID, measures: PendingMeasures)] {
        let outcome: Result<[(id: UUID, measures: PendingMeasures)], Failure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(Failure) in try decodeBatch(raw.assumingMemoryBound(to: UInt8.self), now: now) }
        }
        return try outcome.get()
    }

    // MARK: - One list

    /// A validation failure of one list. Gnocchi checks in phases: it first picks every `timestamp` (a
    /// non-object element is a TypeError), then converts them all with numpy (the first element that fails
    /// decides between ValueError and TypeError), then checks the epoch, then reads the values. A later phase's
    /// error never hides an earlier one's.
    enum ListError: Error, Equatable {
        /// A timestamp Gnocchi turns into numpy's NaT (or garbage) and stores: refused by Stratus, but only
        /// when Gnocchi reports nothing else.
        case notATime
        /// A value `float()` refuses.
        case value
        /// A timestamp before 1970.
        case beforeEpoch
        /// The first timestamp numpy cannot convert: a ValueError ("Unable to convert timestamps") or, for
        /// an object where numbers are expected, a TypeError ("unexpected measures format").
        case conversion(isTypeError: Bool)
        /// An element that is not a measure object.
        case format

        /// The phase, for precedence.
        var rank: Int {
            switch self {
            case .notATime: 0
            case .value: 1
            case .beforeEpoch: 2
            case .conversion: 3
            case .format: 4
            }
        }

        static let unconvertible = ListError.conversion(isTypeError: false)

        var reason: String {
            switch self {
            case .format, .conversion(isTypeError: true): "unexpected measures format"
            case .conversion(isTypeError: false), .notATime: "unexpected timestamp 'Unable to convert timestamps'"
            case .beforeEpoch: "unexpected timestamp '\(TimestampError.beforeEpochReason)'"
            case .value: "unexpected measures value"
            }
        }
    }

    /// Reads the value at the cursor as a measures list. Syntax errors throw; validation errors are returned
    /// after the whole value has been read.
    static func decodeList(
        _ scanner: inout JSONByteScanner, now: Int64, depth: Int
    ) throws(JSONByteScanner.SyntaxError) -> Result<PendingMeasures, ListError> {
        guard let first = scanner.current else { throw scanner.fail("Expected object or value") }
        guard first == UInt8(ascii: "[") else {
            // Gnocchi iterates whatever it got: an empty object or string is an empty list, anything else a TypeError.
            let token = try scanner.scanValue(depth: depth)
            switch token {
            case .object:
                return isEmptyObject(scanner) ? .success(PendingMeasures()) : .failure(.format)
            case .string(let span) where span.range.isEmpty:
                return .success(PendingMeasures())
            default:
                return .failure(.format)
            }
        }
        guard depth < JSONByteScanner.maximumDepth else { throw scanner.fail("Reached object decoding depth limit") }
        var builder = ListBuilder(now: now, estimatedCount: (scanner.count - scanner.position) / 48)
        if scanner.open(closing: UInt8(ascii: "]")) {
            repeat {
                try readMeasure(&scanner, into: &builder, depth: depth + 1)
            } while try scanner.next(closing: UInt8(ascii: "]"))
        }
        if let error = builder.error { return .failure(error) }
        return .success(PendingMeasures(timestamps: builder.timestamps, values: builder.values))
    }

    /// Whether the object just skipped was `{}` (possibly with whitespace inside).
    private static func isEmptyObject(_ scanner: JSONByteScanner) -> Bool {
        var index = scanner.position - 2
        while index >= 0 {
            switch scanner.base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index -= 1
            case UInt8(ascii: "{"): return true
            default: return false
            }
        }
        return false
    }

    /// Reads one element of a measures list.
    @inline(__always)
    private static func readMeasure(
        _ scanner: inout JSONByteScanner, into builder: inout ListBuilder, depth: Int
    ) throws(JSONByteScanner.SyntaxError) {
        guard scanner.current == UInt8(ascii: "{") else {
            _ = try scanner.scanValue(depth: depth)
            builder.fail(.format)
            return
        }
        guard depth < JSONByteScanner.maximumDepth else { throw scanner.fail("Reached object decoding depth limit") }
        var timestamp: JSONByteScanner.Token?
        var value: JSONByteScanner.Token?
        if scanner.open(closing: UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.memberKey()
                let token = try scanner.scanValue(depth: depth + 1)
                if scanner.equals(key, "timestamp") {
                    timestamp = token
                } else if scanner.equals(key, "value") {
                    value = token
                }
            } while try scanner.next(closing: UInt8(ascii: "}"))
        }
        builder.add(timestamp: timestamp, value: value, scanner: scanner)
    }
}

extension MeasuresDecoder {
    /// How a list's timestamps are read, chosen by the first one (Gnocchi's `to_timestamps`).
    enum TimestampKind {
        /// Seconds since the epoch: a JSON number, `true`/`false`, or a string Python's `float()` accepts
        /// (`numpy.array(values, dtype=float)`).
        case epoch
        /// An ISO 8601 date as numpy reads it, `now`, `today`, or numpy's NaT (`""`, `"NaT"`)
        /// (`numpy.array(values, dtype='datetime64[ns]')`).
        case iso
        /// Any other string: now plus a duration, `"-5 minutes"` (`now + to_timespan(v)` for each).
        case relative
    }

    /// Accumulates the measures of one list and its most important validation error.
    struct ListBuilder {
        let now: Int64
        var timestamps: [Int64] = []
        var values: [Double] = []
        var kind: TimestampKind = .epoch
        var error: ListError?
        var index = 0

        init(now: Int64, estimatedCount: Int) {
            self.now = now
            timestamps.reserveCapacity(max(0, estimatedCount))
            values.reserveCapacity(max(0, estimatedCount))
        }

        /// Records an element that is not a measure object (Gnocchi: TypeError).
        @inline(__always)
        mutating func fail(_ newError: ListError) {
            record(newError)
            index += 1
        }

        /// Keeps the error of the earliest phase; within a phase, the first one.
        @inline(__always)
        private mutating func record(_ newError: ListError) {
            if error.map({ $0.rank < newError.rank }) ?? true { error = newError }
        }

        /// Validates and converts one measure object's `timestamp` and `value` members.
        @inline(__always)
        mutating func add(timestamp: JSONByteScanner.Token?, value: JSONByteScanner.Token?, scanner: JSONByteScanner) {
            // Gnocchi's KeyError on a missing timestamp is a 500; Stratus calls it a malformed measure.
            guard let timestamp else { return fail(.format) }
            let isFirst = index == 0
            index += 1
            if error == .format { return }
            if isFirst {
                // float(values[0]) raises TypeError for these.
                switch timestamp {
                case .null, .array, .object: return record(.format)
                default: kind = Self.kind(of: timestamp, scanner: scanner)
                }
            }
            if let error, error.rank >= ListError.unconvertible.rank { return }
            switch convert(timestamp, scanner: scanner) {
            case .success(let nanoseconds):
                guard error == nil else { break }
                guard let number = Self.number(value, scanner: scanner) else { return record(.value) }
                timestamps.append(nanoseconds)
                values.append(number)
                return
            case .failure(.notATime):
                // Stored as NaT by Gnocchi, which then still reads the value.
                record(.notATime)
            case .failure(let failure):
                return record(failure)
            }
            if Self.number(value, scanner: scanner) == nil { record(.value) }
        }

        /// The kind the first timestamp gives the list.
        @inline(__always)
        static func kind(of token: JSONByteScanner.Token, scanner: JSONByteScanner) -> TimestampKind {
            guard case .string(let span) = token else { return .epoch }
            return scanner.withDecoded(span) { bytes -> TimestampKind in
                if looksISO(bytes) || isNaT(bytes) { return .iso }
                if PythonFloat.accepts(bytes) { return .epoch }
                return .relative
            }
        }

        /// `YYYY-…`, `now` or `today` (after leading whitespace): what numpy may read as a date.
        @inline(__always)
        static func looksISO(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let text = trimmed(bytes)
            if text.count >= 5, JSONByteScanner.isDigit(text[0]), JSONByteScanner.isDigit(text[1]),
               JSONByteScanner.isDigit(text[2]), JSONByteScanner.isDigit(text[3]), text[4] == UInt8(ascii: "-") {
                return true
            }
            return equalsIgnoringCase(text, "now") || equalsIgnoringCase(text, "today")
        }

        /// numpy's not-a-time spellings: empty or `NaT` in any case.
        static func isNaT(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let text = trimmed(bytes)
            return text.isEmpty || equalsIgnoringCase(text, "nat")
        }

        /// Converts a timestamp as the list's kind requires, with the error Gnocchi's numpy conversion gives.
        @inline(__always)
        private func convert(_ token: JSONByteScanner.Token, scanner: JSONByteScanner) -> Result<Int64, ListError> {
            switch kind {
            case .iso:
                switch token {
                case .string(let span):
                    return scanner.withDecoded(span) { bytes in
                        if Self.looksISO(bytes) { return Self.parseTimestamp(String(decoding: bytes, as: UTF8.self), now: now) }
                        let text = Self.trimmed(bytes)
                        if text.count == 4, text.allSatisfy(JSONByteScanner.isDigit) {
                            // numpy reads a bare year.
                            return Self.parseTimestamp(String(decoding: text, as: UTF8.self) + "-01-01", now: now)
                        }
                        return Self.isNaT(bytes) ? .failure(.notATime) : .failure(.unconvertible)
                    }
                case .number(let range):
                    // numpy reads an integer as nanoseconds; anything else fails.
                    let bytes = scanner.bytes(range)
                    guard !bytes.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") || $0 >= UInt8(ascii: "I") }) else {
                        return .failure(.unconvertible)
                    }
                    return bytes.first == UInt8(ascii: "-") && bytes.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") })
                        ? .failure(.beforeEpoch) : .failure(.notATime)
                case .null, .bool: return .failure(.notATime)
                case .array, .object: return .failure(.unconvertible)
                }
            case .epoch:
                switch token {
                case .bool(let flag): return .success(flag ? Timestamps.nanosecondsPerSecond : 0)
                case .number(let range): return Self.epochSeconds(scanner.bytes(range), isJSONNumber: true)
                case .string(let span):
                    return scanner.withDecoded(span) { bytes in
                        PythonFloat.accepts(bytes) ? Self.epochSeconds(bytes, isJSONNumber: false) : .failure(.unconvertible)
                    }
                case .null: return .failure(.notATime)
                case .array: return .failure(.unconvertible)
                case .object: return .failure(.conversion(isTypeError: true))
                }
            case .relative:
                let delta: Result<Int64, ListError>
                switch token {
                case .bool(let flag): delta = .success(flag ? Timestamps.nanosecondsPerSecond : 0)
                case .number(let range): delta = Self.duration(scanner.bytes(range))
                case .string(let span):
                    return scanner.withDecoded(span) { bytes in
                        if PythonFloat.accepts(bytes) { return Self.fromNow(Self.duration(bytes), now: now) }
                        if Self.looksISO(bytes) { return .failure(.unconvertible) }
                        return Self.parseTimestamp(String(decoding: bytes, as: UTF8.self), now: now)
                    }
                case .null: return .failure(.unconvertible)
                case .array, .object: return .failure(.conversion(isTypeError: true))
                }
                return Self.fromNow(delta, now: now)
            }
        }

        @inline(__always)
        private static func fromNow(_ delta: Result<Int64, ListError>, now: Int64) -> Result<Int64, ListError> {
            delta.flatMap { delta in
                let (sum, overflow) = now.addingReportingOverflow(delta)
                if overflow || sum < 0 { return .failure(.beforeEpoch) }
                return .success(sum)
            }
        }

        /// Seconds since the epoch, exactly to the nanosecond; NaN, infinities and times numpy cannot hold are
        /// NaT in Gnocchi.
        @inline(__always)
        private static func epochSeconds(_ bytes: UnsafeBufferPointer<UInt8>, isJSONNumber: Bool) -> Result<Int64, ListError> {
            if isJSONNumber, let whole = wholeSeconds(bytes) { return .success(whole) }
            let seconds = isJSONNumber ? PythonFloat.jsonNumber(bytes) : PythonFloat.parse(bytes) ?? .nan
            guard seconds.isFinite, abs(seconds) < 9.2e9 else { return .failure(.notATime) }
            do {
                return .success(try Timestamps.parse(String(decoding: bytes, as: UTF8.self), now: 0))
            } catch {
                switch error.code {
                case .beforeEpoch: return .failure(.beforeEpoch)
                case .outOfRange: return .failure(.notATime)
                case .unparsable:
                    // Python float() syntax StratusCore does not read (underscores, `1.` from ujson, `-`).
                    do {
                        return .success(try Timestamps.fromEpochSeconds(seconds))
                    } catch {
                        return .failure(error.code == .beforeEpoch ? .beforeEpoch : .notATime)
                    }
                }
            }
        }

        /// A plain non-negative integer of at most 11 digits, as nanoseconds; nil for anything else.
        @inline(__always)
        private static func wholeSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
            guard bytes.count <= 11 else { return nil }
            var seconds: Int64 = 0
            for byte in bytes {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                seconds = seconds * 10 + Int64(digit)
            }
            let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: Timestamps.nanosecondsPerSecond)
            return overflow ? nil : nanoseconds  // past 2262: the general path reports it as a client error
        }

        /// `to_timespan(v)` of a number of seconds.
        private static func duration(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Int64, ListError> {
            if let nanoseconds = try? Durations.parse(String(decoding: bytes, as: UTF8.self)) { return .success(nanoseconds) }
            let seconds = bytes.first.map { $0 == UInt8(ascii: "-") || JSONByteScanner.isDigit($0) || $0 == UInt8(ascii: "N") || $0 == UInt8(ascii: "I") } == true
                ? PythonFloat.jsonNumber(bytes) : PythonFloat.parse(bytes) ?? .nan
            guard seconds.isFinite, abs(seconds) < 9.2e9 else { return .failure(.unconvertible) }
            return .success(Int64(seconds * 1e9))
        }

        /// `Timestamps.parse`; a date past 2262 overflows numpy's nanoseconds into a negative time in Gnocchi,
        /// hence "Timestamp must be after Epoch" for ISO and relative times.
        @inline(__always)
        private static func parseTimestamp(_ text: String, now: Int64) -> Result<Int64, ListError> {
            do {
                return .success(try Timestamps.parse(text, now: now))
            } catch {
                return .failure(error.code == .unparsable ? .unconvertible : .beforeEpoch)
            }
        }

        /// Python `float()` of a measure value; nil where it raises.
        @inline(__always)
        static func number(_ token: JSONByteScanner.Token?, scanner: JSONByteScanner) -> Double? {
            switch token {
            case .number(let range)?: return PythonFloat.jsonNumber(scanner.bytes(range))
            case .string(let span)?: return scanner.withDecoded(span) { PythonFloat.parse($0) }
            case .bool(let flag)?: return flag ? 1 : 0
            default: return nil
            }
        }

        @inline(__always)
        private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || (bytes[start] >= 0x09 && bytes[start] <= 0x0D) { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || (bytes[end - 1] >= 0x09 && bytes[end - 1] <= 0x0D) { end -= 1 }
            return UnsafeBufferPointer(rebasing: bytes[start..<end])
        }

        @inline(__always)
        private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            let text = word.utf8Start
            for index in 0..<bytes.count where bytes[index] | 0x20 != text[index] {
                return false
            }
            return true
        }
    }
}
