extension PythonText {
    /// The meter message fields in Python's key order, computed once.
    static let sortedMeterMessageFields = MeterMessage.fieldNames.sorted(by: less)

    /// The entries of `dictionary` sorted by key as Python sorts `str` keys (code point order).
    ///
    /// A meter message's own fields — the dictionary signed and encoded for every sample — are
    /// taken in a precomputed order (one lookup per known field) instead of being sorted each time.
    static func sortedEntries(_ dictionary: [String: TelemetryValue]) -> [(key: String, value: TelemetryValue)] {
        if dictionary.count > 4, dictionary.count <= sortedMeterMessageFields.count, dictionary["counter_name"] != nil {
            var entries: [(key: String, value: TelemetryValue)] = []
            entries.reserveCapacity(dictionary.count)
            for name in sortedMeterMessageFields {
                if let value = dictionary[name] { entries.append((name, value)) }
            }
            if entries.count == dictionary.count { return entries }
        }
        // For ASCII keys (nearly always), String's own order is byte order, and its comparison is the
        // cheapest there is.
        if dictionary.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
            return dictionary.sorted { $0.key < $1.key }
        }
        return dictionary.sorted { less($0.key, $1.key) }
    }
}
