import Foundation
import StratusCore

/// A failed index operation: what went wrong, Gnocchi's message, and the name or id concerned.
public struct IndexError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; the API maps it to an HTTP status.
    public enum Code: Sendable, Hashable {
        case archivePolicyAlreadyExists, archivePolicyNotFound, archivePolicyInUse
        case archivePolicyRuleAlreadyExists, archivePolicyRuleNotFound, invalidArchivePolicyUpdate
        case metricAlreadyExists, metricNotFound, invalidQuery, invalidURL, database
        case resourceTypeAlreadyExists, resourceTypeNotFound, resourceTypeInUse, unexpectedResourceTypeState
        case invalidResourceAttribute, invalidResourceTypeUpdate
        case resourceAlreadyExists, resourceNotFound, resourceAttributeError, resourceValueError
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable message, Gnocchi's wording where it has one.
    public var message: String
    /// The archive policy, rule name or metric id concerned, when there is one.
    public var detail: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}

extension IndexError {
    static func archivePolicyAlreadyExists(_ name: String) -> Self {
        Self(.archivePolicyAlreadyExists, "Archive policy \(name) already exists", detail: name)
    }

    static func archivePolicyNotFound(_ name: String) -> Self {
        Self(.archivePolicyNotFound, "Archive policy \(name) does not exist", detail: name)
    }

    static func archivePolicyInUse(_ name: String) -> Self {
        Self(.archivePolicyInUse, "Archive policy \(name) is still in use", detail: name)
    }

    static func unsupportedArchivePolicyChange(_ name: String, _ reason: String) -> Self {
        Self(.invalidArchivePolicyUpdate, "Archive policy \(name) does not support change: \(reason)", detail: name)
    }

    static func archivePolicyRuleAlreadyExists(_ name: String) -> Self {
        Self(.archivePolicyRuleAlreadyExists, "Archive policy rule \(name) already exists", detail: name)
    }

    /// Renaming onto an existing rule, worded as Gnocchi's `UnsupportedArchivePolicyRuleChange`.
    static func archivePolicyRuleRenameConflict(_ name: String, _ newName: String) -> Self {
        Self(
            .archivePolicyRuleAlreadyExists,
            "Archive policy rule \(name) does not support change: Archive policy rule \(newName) already exists.",
            detail: newName)
    }

    static func archivePolicyRuleNotFound(_ name: String) -> Self {
        Self(.archivePolicyRuleNotFound, "Archive policy rule \(name) does not exist", detail: name)
    }

    static func metricAlreadyExists(id: UUID) -> Self {
        Self(.metricAlreadyExists, "Metric \(id.lowercased) already exists", detail: id.lowercased)
    }

    static func namedMetricAlreadyExists(_ name: String) -> Self {
        Self(.metricAlreadyExists, "Named metric \(name) already exists", detail: name)
    }

    static func metricNotFound(_ id: UUID) -> Self {
        Self(.metricNotFound, "Metric \(id.lowercased) does not exist", detail: id.lowercased)
    }

    static func invalidMarker(_ id: UUID) -> Self {
        Self(.invalidQuery, "Invalid marker: `\(id.lowercased)'", detail: id.lowercased)
    }

    static func invalidSortKey(_ key: String) -> Self {
        Self(.invalidQuery, "Sort key supplied is invalid: \(key)", detail: key)
    }

    static func invalidLimit(_ limit: Int) -> Self {
        Self(.invalidQuery, "Invalid limit: \(limit)", detail: String(limit))
    }

    static func database(_ message: String) -> Self {
        Self(.database, message)
    }
}

extension UUID {
    /// The canonical lowercase form Gnocchi prints and the SQLite index stores.
    var lowercased: String { lowercaseText }
}
