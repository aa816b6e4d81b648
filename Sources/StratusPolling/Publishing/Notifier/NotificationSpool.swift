import Foundation

/// Batches a notification agent has not acknowledged yet, oldest first, bounded in bytes: one
/// file per batch in a directory (`<sequence>-<samples>.json`, written to a temporary name then
/// renamed, so a crash leaves whole batches only), or in memory when there is no directory.
/// A spool left by a previous run is picked up in order.
///
/// When a new batch does not fit, the oldest are dropped and counted (``droppedSamples``).
/// Not thread-safe: owned by one ``NotificationDestination`` actor.
struct NotificationSpool {
    struct Entry {
        var sequence: UInt64
        var samples: Int
        var bytes: Int
        /// The body, in memory mode.
        var body: [UInt8]?
    }

    let directory: String?
    let maxBytes: Int
    private(set) var entries: [Entry] = []
    private(set) var totalBytes = 0
    private(set) var droppedSamples = 0
    private(set) var droppedBatches = 0
    private var nextSequence: UInt64 = 1

    /// Opens (creating) `directory`, or a memory spool when nil.
    /// - Throws: when the directory cannot be created or listed.
    init(directory: String?, maxBytes: Int) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        guard let directory else { return }
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: directory) {
            if name.hasPrefix(".tmp-") {
                try? files.removeItem(atPath: directory + "/" + name)
                continue
            }
            guard name.hasSuffix(".json") else { continue }
            let parts = name.dropLast(5).split(separator: "-")
            guard parts.count == 2, let sequence = UInt64(parts[0]), let samples = Int(parts[1]) else { continue }
            let size = ((try? files.attributesOfItem(atPath: directory + "/" + name))?[.size] as? NSNumber)?.intValue ?? 0
            entries.append(Entry(sequence: sequence, samples: samples, bytes: size))
            totalBytes += size
        }
        entries.sort { $0.sequence < $1.sequence }
        nextSequence = (entries.last?.sequence ?? 0) + 1
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Samples waiting.
    var samples: Int { entries.reduce(0) { $0 + $1.samples } }

    /// Adds a batch at the end, dropping the oldest batches while it does not fit.
    /// - Returns: the samples dropped to make room (the new batch's own when it is larger than the bound).
    /// - Throws: when the file cannot be written (the batch is then not in the spool).
    mutating func append(_ body: [UInt8], samples: Int) throws -> Int {
        var dropped = 0
        guard body.count <= maxBytes else {
            droppedSamples += samples
            droppedBatches += 1
            return samples
        }
        while totalBytes + body.count > maxBytes, let oldest = entries.first {
            removeOldest()
            droppedSamples += oldest.samples
            droppedBatches += 1
            dropped += oldest.samples
        }
        let sequence = nextSequence
        nextSequence += 1
        if let directory {
            let name = Self.fileName(sequence: sequence, samples: samples)
            let temporary = directory + "/.tmp-" + name
            guard FileManager.default.createFile(atPath: temporary, contents: Data(body)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
            }
            guard rename(temporary, directory + "/" + name) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory + "/" + name, NSLocalizedDescriptionKey: reason])
            }
            entries.append(Entry(sequence: sequence, samples: samples, bytes: body.count))
        } else {
            entries.append(Entry(sequence: sequence, samples: samples, bytes: body.count, body: body))
        }
        totalBytes += body.count
        return dropped
    }

    /// The oldest batch's body, nil when empty. A file that cannot be read is dropped (counted).
    mutating func oldest() -> (body: [UInt8], samples: Int)? {
        while let first = entries.first {
            if let body = first.body { return (body, first.samples) }
            let path = directory.map { $0 + "/" + Self.fileName(sequence: first.sequence, samples: first.samples) } ?? ""
            if let data = FileManager.default.contents(atPath: path) { return ([UInt8](data), first.samples) }
            droppedSamples += first.samples
            droppedBatches += 1
            removeOldest()
        }
        return nil
    }

    /// Removes the oldest batch (once delivered).
    mutating func removeOldest() {
        guard let first = entries.first else { return }
        entries.removeFirst()
        totalBytes -= first.bytes
        if let directory {
            unlink(directory + "/" + Self.fileName(sequence: first.sequence, samples: first.samples))
        }
    }

    static func fileName(sequence: UInt64, samples: Int) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-\(samples).json"
    }
}
