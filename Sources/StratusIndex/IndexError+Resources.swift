import Foundation
import StratusCore

/// The resource and resource-type errors, worded as Gnocchi's indexer exceptions.
extension IndexError {
    static func resourceTypeAlreadyExists(_ name: String) -> Self {
        Self(.resourceTypeAlreadyExists, "Resource type \(name) already exists", detail: name)
    }

    static func resourceTypeNotFound(_ name: String) -> Self {
        Self(.resourceTypeNotFound, "Resource type \(name) does not exist", detail: name)
    }

    static func resourceTypeInUse(_ name: String) -> Self {
        Self(.resourceTypeInUse, "Resource type \(name) is still in use", detail: name)
    }

    static func unexpectedResourceTypeState(_ name: String, expected: String, state: ResourceTypeState) -> Self {
        Self(.unexpectedResourceTypeState, "Resource type \(name) state is \(state.rawValue) (expected: \(expected))", detail: name)
    }

    static func invalidAttributeBounds(_ min: String, _ max: String) -> Self {
        Self(
            .invalidResourceAttribute,
            "Resource attribute value min (or min_length) \(min) must be less  than or equal to max (or max_length) \(max)!")
    }

    static func resourceAlreadyExists(_ id: UUID) -> Self {
        Self(.resourceAlreadyExists, "Resource \(id.lowercased) already exists", detail: id.lowercased)
    }

    /// "Resource <id> does not exist"; `id` as the caller named it.
    public static func resourceNotFound(_ id: String) -> Self {
        Self(.resourceNotFound, "Resource \(id) does not exist", detail: id)
    }

    /// "Resource type T has no A attribute".
    public static func resourceAttributeError(type: String, attribute: String) -> Self {
        Self(.resourceAttributeError, "Resource type \(type) has no \(attribute) attribute", detail: attribute)
    }

    /// `ResourceValueError` for `ended_at`, the value printed as Python's `str(datetime)`.
    static func invalidEndedAt(type: String, _ endedAt: Int64?) -> Self {
        let value = endedAt.map { Timestamps.format($0).replacingOccurrences(of: "T", with: " ") } ?? "None"
        return Self(.resourceValueError, "Value \(value) for attribute ended_at on resource type \(type) is invalid", detail: "ended_at")
    }

    /// `ValueError("Start timestamp cannot be after end timestamp")` of a creation.
    static let startAfterEnd = Self(.resourceValueError, "Start timestamp cannot be after end timestamp", detail: "started_at")
}
