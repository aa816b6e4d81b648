import Carbonara
import Foundation

/// The columns of an `archive_policy` row: definition and methods as JSON text, granularity in nanoseconds.
struct StoredArchivePolicy: Sendable {
    private struct Item: Codable {
        var granularity: Int64
        var points: Int?
    }

    var name: String
    var backWindow: Int
    /// `[{"granularity": ns, "points": n|null}, …]` in the policy's order.
    var definition: String
    /// Sorted method names, `["count", "max", …]`.
    var aggregationMethods: String

    init(name: String, backWindow: Int, definition: String, aggregationMethods: String) {
        self.name = name
        self.backWindow = backWindow
        self.definition = definition
        self.aggregationMethods = aggregationMethods
    }

    init(_ policy: ArchivePolicy) throws(IndexError) {
        self.name = policy.name
        self.backWindow = policy.backWindow
        self.definition = try Self.encode(policy.definition.map { Item(granularity: $0.granularity, points: $0.points) })
        self.aggregationMethods = try Self.encode(policy.aggregationMethods.map(\.name).sorted())
    }

    /// Encodes a definition alone, for updates.
    static func encodeDefinition(_ items: [ArchivePolicyItem]) throws(IndexError) -> String {
        try encode(items.map { Item(granularity: $0.granularity, points: $0.points) })
    }

    /// Rebuilds the policy. - Throws: `IndexError.database` when the stored row is not a valid policy.
    func policy() throws(IndexError) -> ArchivePolicy {
        do {
            let items = try JSONDecoder().decode([Item].self, from: Data(definition.utf8))
            let names = try JSONDecoder().decode([String].self, from: Data(aggregationMethods.utf8))
            var methods = Set<AggregationMethod>()
            for name in names {
                guard let method = AggregationMethod(name) else {
                    throw IndexError.database("Stored archive policy \(self.name) has an unknown method \(name)")
                }
                methods.insert(method)
            }
            let definition = try items.map { item in
                guard item.granularity > 0 else {
                    throw IndexError.database("Stored archive policy \(self.name) has a granularity ≤ 0")
                }
                return ArchivePolicyItem(granularity: item.granularity, points: item.points)
            }
            var policy = try ArchivePolicy(name: name, backWindow: backWindow, definition: definition)
            policy.aggregationMethods = methods  // as stored, even empty (resolving [] would give the defaults)
            return policy
        } catch let error as IndexError {
            throw error
        } catch {
            throw IndexError.database("Stored archive policy \(name) is invalid: \(error)")
        }
    }

    private static func encode(_ value: some Encodable) throws(IndexError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw IndexError.database("Cannot encode archive policy: \(error)")
        }
    }
}

extension ArchivePolicy {
    /// This policy with a new definition and back window, validated as Gnocchi's `update_archive_policy`:
    /// the same number of items with the same granularities.
    func updated(definition newItems: [ArchivePolicyItem], backWindow: Int?) throws(IndexError) -> ArchivePolicy {
        let current = definition.sorted { $0.granularity < $1.granularity }
        let new = newItems.sorted { $0.granularity < $1.granularity }
        guard current.count == new.count else {
            throw IndexError.unsupportedArchivePolicyChange(name, "Cannot add or drop granularities")
        }
        for (c, n) in zip(current, new) where c.granularity != n.granularity {
            throw IndexError.unsupportedArchivePolicyChange(
                name, "\(Double(c.granularity) / 1e9) granularity interval was changed")
        }
        do {
            var policy = try ArchivePolicy(name: name, backWindow: backWindow ?? self.backWindow, definition: newItems)
            policy.aggregationMethods = aggregationMethods
            return policy
        } catch {
            throw IndexError.unsupportedArchivePolicyChange(name, error.reason)
        }
    }
}
