#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reading of a kernel hardware sensor (`/sys/class/hwmon`), converted to the unit of
/// Ceilometer's ipmi meter.
public struct IPMISensorReading: Sendable, Hashable {
    /// Which meter the sensor feeds.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `temp*_input`, millidegrees Celsius → `C`.
        case temperature
        /// `fan*_input`, RPM.
        case fan
        /// `in*_input`, millivolts → `V`.
        case voltage
        /// `curr*_input` (milliamperes → `A`) and `power*_input` (microwatts → `W`): IPMI's
        /// "Current" sensor type holds both, and Ceilometer takes the unit from the reading.
        case current
    }

    /// The meter kind.
    public var kind: Kind
    /// The sensor id before Ceilometer's `transform_id`: `<chip> <label>` (`coretemp Package id 0`),
    /// the attribute name standing in for a missing label (`nct6775 fan2`).
    public var sensorID: String
    /// The chip (`name` file, with the device when two chips share a name).
    public var chip: String
    /// The label, when the driver gives one.
    public var label: String?
    /// The value in ``unit``.
    public var value: Double
    /// `C`, `RPM`, `V`, `A` or `W`.
    public var unit: String
}

/// Reads the sensors of `/sys/class/hwmon` (or of a tree shaped like it, for tests).
///
/// Each `hwmonN` directory (or its `device` directory on old kernels) has a `name` and
/// attributes `<type><n>_input`, with optional `_label`, `_enable` and `_fault`. Disabled and
/// faulty sensors, and attributes that cannot be read (`EIO`, `ENODATA`), are left out.
public struct IPMISensorReader: Sendable {
    /// The hwmon class directory.
    public let root: String

    /// Creates a reader of `root` (default `/sys/class/hwmon`).
    public init(root: String = "/sys/class/hwmon") {
        self.root = root
    }

    /// Every readable sensor, sorted by kind then sensor id; empty when `root` does not exist.
    public func readAll() -> [IPMISensorReading] {
        let chips = chipDirectories()
        var nameCounts: [String: Int] = [:]
        for chip in chips { nameCounts[chip.name, default: 0] += 1 }
        var readings: [IPMISensorReading] = []
        for chip in chips {
            let chipName = nameCounts[chip.name, default: 0] > 1 ? "\(chip.name).\(chip.instance)" : chip.name
            readings.append(contentsOf: sensors(chip: chip, chipName: chipName))
        }
        return readings.sorted { ($0.kind.rawValue, $0.sensorID) < ($1.kind.rawValue, $1.sensorID) }
    }

    /// The readings of one kind.
    public func readings(of kind: IPMISensorReading.Kind) -> [IPMISensorReading] {
        readAll().filter { $0.kind == kind }
    }

    struct Chip {
        var directory: String
        var name: String
        /// Distinguishes chips with one name: the device's name (`coretemp.1`) or `hwmonN`.
        var instance: String
        var files: [String]
    }

    func chipDirectories() -> [Chip] {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: root) else { return [] }
        var chips: [Chip] = []
        for entry in entries.sorted() where entry.hasPrefix("hwmon") {
            let base = root + "/" + entry
            var directory = base
            var files = (try? fileManager.contentsOfDirectory(atPath: base)) ?? []
            if !files.contains(where: { $0.hasSuffix("_input") }) {
                let device = base + "/device"
                if let deviceFiles = try? fileManager.contentsOfDirectory(atPath: device),
                   deviceFiles.contains(where: { $0.hasSuffix("_input") })
                {
                    directory = device
                    files = deviceFiles
                }
            }
            let name = readText(directory + "/name") ?? readText(base + "/name") ?? entry
            var instance = entry
            if let target = try? fileManager.destinationOfSymbolicLink(atPath: base + "/device"),
               let last = target.split(separator: "/").last
            {
                instance = String(last)
            }
            chips.append(Chip(directory: directory, name: name, instance: instance, files: files))
        }
        return chips
    }

    func sensors(chip: Chip, chipName: String) -> [IPMISensorReading] {
        var readings: [IPMISensorReading] = []
        let present = Set(chip.files)
        for file in chip.files.sorted() where file.hasSuffix("_input") {
            let attribute = String(file.dropLast("_input".count))
            guard let (kind, scale, unit) = Self.classify(attribute) else { continue }
            if let enable = readText("\(chip.directory)/\(attribute)_enable"), enable == "0" { continue }
            if present.contains("\(attribute)_fault"), readText("\(chip.directory)/\(attribute)_fault") == "1" { continue }
            guard let text = readText("\(chip.directory)/\(file)"), let raw = Double(text) else { continue }
            let label = readText("\(chip.directory)/\(attribute)_label").flatMap { $0.isEmpty ? nil : $0 }
            readings.append(IPMISensorReading(
                kind: kind, sensorID: "\(chipName) \(label ?? attribute)", chip: chipName, label: label,
                value: raw / scale, unit: unit))
        }
        return readings
    }

    /// The kind, divisor and unit of an attribute prefix (`temp1`, `in0`, `power2`).
    static func classify(_ attribute: String) -> (IPMISensorReading.Kind, Double, String)? {
        let prefix = attribute.prefix { $0.isLetter }
        guard attribute.count > prefix.count, attribute.dropFirst(prefix.count).allSatisfy(\.isNumber) else { return nil }
        switch prefix {
        case "temp": return (.temperature, 1000, "C")
        case "fan": return (.fan, 1, "RPM")
        case "in": return (.voltage, 1000, "V")
        case "curr": return (.current, 1000, "A")
        case "power": return (.current, 1_000_000, "W")
        default: return nil
        }
    }

    /// A sysfs attribute's text without the trailing newline; nil when it cannot be read (a
    /// sensor answering `EIO` or `ENODATA`, a missing file). Read with `read(2)`, as sysfs
    /// files report a size that is not their length.
    func readText(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last == "\n" || last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
