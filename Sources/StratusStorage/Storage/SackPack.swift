import Foundation
import Logging
import StratusCore

/// The stored state of one sack: every metric's encoded blob, plus the incoming data consumed by the
/// processing round that wrote it (so that a crash between storing and deleting incoming never counts twice).
public struct SackContents: Sendable {
    /// Incoming data already aggregated into these metrics; delete it before reading the sack again.
    public var consumed: [IncomingHandle]
    /// Encoded `StoredMetric` blobs by metric id.
    public var metrics: [UUID: [UInt8]]

    public init(consumed: [IncomingHandle] = [], metrics: [UUID: [UInt8]] = [:]) {
        self.consumed = consumed
        self.metrics = metrics
    }
}

/// The pack file format of a sack (docs/storage-format.md, "Sack pack"): a magic and version, the consumed
/// incoming handles with a CRC, then one self-checking record per metric, so damage costs only what it touches.
enum SackPack {
    static let magic: [UInt8] = Array("STRK".utf8)
    static let version: UInt8 = 1

    static func encode(_ contents: SackContents) -> [UInt8] {
        var out = ByteWriter()
        out.bytes.append(contentsOf: magic)
        out.bytes.append(version)
        var consumed = ByteWriter()
        consumed.varint(UInt64(contents.consumed.count))
        for handle in contents.consumed {
            consumed.varint(UInt64(handle.sack))
            consumed.string(handle.key)
            if let metric = handle.metric {
                consumed.bytes.append(1)
                consumed.bytes.append(contentsOf: uuidBytes(metric))
            } else {
                consumed.bytes.append(0)
            }
        }
        out.varint(UInt64(consumed.bytes.count))
        out.uint32(checksum(consumed.bytes[...]))
        out.bytes.append(contentsOf: consumed.bytes)
        // Byte order of the 16 bytes: the same order as their canonical text, without formatting
        // two strings per comparison (`uuidString` is an snprintf).
        for id in contents.metrics.keys.sorted(by: { $0.isOrderedBefore($1) }) {
            let blob = contents.metrics[id]!
            out.bytes.append(contentsOf: uuidBytes(id))
            out.varint(UInt64(blob.count))
            out.uint32(checksum(blob[...]))
            out.bytes.append(contentsOf: blob)
        }
        return out.bytes
    }

    /// Decodes a pack; damaged parts are logged with the path and skipped, the rest is returned.
    static func decode(_ bytes: [UInt8], path: String, logger: Logger) -> SackContents {
        var contents = SackContents()
        var r = ByteReader(bytes, path: path)
        func damaged(_ what: String) {
            logger.error("Damaged sack pack, keeping what can be read", metadata: ["storage.path": "\(path)", "damage": "\(what)"])
        }
        guard bytes.count >= 5, Array(bytes[0..<4]) == magic, bytes[4] == version else {
            if !bytes.isEmpty { damaged("bad magic or version") }
            return contents
        }
        r.position = 5
        do {
            let length = try r.count(limit: bytes.count)
            let crc = try r.uint32()
            guard r.position + length <= bytes.count else { throw StorageError(code: .corrupt, message: "short consumed list") }
            let section = bytes[r.position..<(r.position + length)]
            if checksum(section) == crc {
                var c = ByteReader(Array(section), path: path)
                let n = try c.count(limit: length)
                for _ in 0..<n {
                    let sack = Int(try c.varint())
                    let key = try c.string()
                    var metric: UUID?
                    if try c.byte() == 1 { metric = try uuid(&c) }
                    contents.consumed.append(IncomingHandle(sack: sack, key: key, metric: metric))
                }
            } else {
                damaged("consumed list checksum")
            }
            r.position += length
            while !r.isAtEnd {
                let id = try uuid(&r)
                let length = try r.count(limit: bytes.count - r.position)
                let crc = try r.uint32()
                guard r.position + length <= bytes.count else { throw StorageError(code: .corrupt, message: "short record") }
                let blob = bytes[r.position..<(r.position + length)]
                if checksum(blob) == crc {
                    contents.metrics[id] = Array(blob)
                } else {
                    damaged("record checksum of metric \(id.uuidString.lowercased())")
                }
                r.position += length
            }
        } catch {
            damaged("\(error)")
        }
        return contents
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.checksum($0) }
    }

    static func uuidBytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    static func uuid(_ r: inout ByteReader) throws(StorageError) -> UUID {
        var raw = [UInt8]()
        raw.reserveCapacity(16)
        for _ in 0..<16 { raw.append(try r.byte()) }
        return raw.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
    }
}
