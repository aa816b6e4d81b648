import Foundation

/// The lifecycle state of a resource type, as Gnocchi's `resource_type_state_enum`.
public enum ResourceTypeState: String, Sendable, Hashable, CaseIterable {
    case active, creating
    case creationError = "creation_error"
    case deleting
    case deletionError = "deletion_error"
    case updating
    case updatingError = "updating_error"
}

/// One attribute of a resource type (Gnocchi's `resource_type.*Schema`): its value type with its options, and
/// whether resources must give it.
public struct ResourceAttribute: Sendable, Hashable {
    /// The value type and its options.
    public enum Kind: Sendable, Hashable {
        /// Text of `minLength...maxLength` characters (0–256, 1–256).
        case string(minLength: Int, maxLength: Int)
        /// A UUID.
        case uuid
        /// A real number within the optional bounds.
        case number(min: Double?, max: Double?)
        /// A boolean.
        case bool
        /// A timestamp (stored in nanoseconds since the epoch).
        case datetime

        /// Gnocchi's type name (`string`, `uuid`, `number`, `bool`, `datetime`).
        public var typeName: String {
            switch self {
            case .string: "string"
            case .uuid: "uuid"
            case .number: "number"
            case .bool: "bool"
            case .datetime: "datetime"
            }
        }
    }

    /// The attribute's name.
    public var name: String
    /// The value type.
    public var kind: Kind
    /// Whether a resource must give a value on creation (Gnocchi's default: true).
    public var required: Bool

    /// Creates an attribute, checking its name and options as Gnocchi's `CommonAttributeSchema` does.
    /// - Throws: `IndexError.invalidResourceAttribute` with Gnocchi's message.
    public init(name: String, kind: Kind, required: Bool = true) throws(IndexError) {
        guard Self.isValidName(name) else {
            throw IndexError(.invalidResourceAttribute, "Resource attribute name \(name) is invalid", detail: name)
        }
        switch kind {
        case .string(let minLength, let maxLength) where minLength > maxLength:
            throw IndexError.invalidAttributeBounds(String(minLength), String(maxLength))
        case .number(let min?, let max?) where min > max:
            throw IndexError.invalidAttributeBounds(Self.pythonFloat(min), Self.pythonFloat(max))
        default:
            break
        }
        self.name = name
        self.kind = kind
        self.required = required
    }

    /// Names an attribute may not take: the generic resource's own fields.
    public static let reservedNames: Set<String> = [
        "id", "type", "metrics", "revision", "revision_start", "revision_end", "started_at", "ended_at",
        "user_id", "project_id", "created_by_user_id", "created_by_project_id", "get_metric", "creator",
    ]

    /// Gnocchi's rule: at most 63 characters, `[a-zA-Z0-9][a-zA-Z0-9_]*` (a prefix match, as `re.match`), not reserved.
    public static func isValidName(_ name: String) -> Bool {
        guard name.count <= 63, !reservedNames.contains(name), !name.utf8.contains(0), let first = name.unicodeScalars.first else { return false }
        // `re.match` anchors only at the start: a valid first character is enough.
        return first.isASCII && (first.properties.isAlphabetic || ("0"..."9").contains(first))
    }

    /// `str(float)` as Python prints bounds in messages.
    static func pythonFloat(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e16 { return String(format: "%.1f", value) }
        return "\(value)"
    }
}

/// A resource type: its name, attributes (by name) and state; the index keeps its table names.
public struct ResourceType: Sendable, Hashable {
    /// The type's name (≤255 characters).
    public var name: String
    /// The attributes, sorted by name.
    public var attributes: [ResourceAttribute]
    /// The lifecycle state; `active` once usable.
    public var state: ResourceTypeState

    /// Creates a type; attributes are kept sorted by name.
    public init(name: String, attributes: [ResourceAttribute] = [], state: ResourceTypeState = .active) {
        self.name = name
        self.attributes = attributes.sorted { $0.name < $1.name }
        self.state = state
    }

    /// The attribute with this name.
    public func attribute(named name: String) -> ResourceAttribute? {
        attributes.first { $0.name == name }
    }

    /// Checks that the attributes can be columns next to the generic ones: SQLite compares identifiers without
    /// case, so two attributes differing only in case, or an attribute named like a generic column in any case
    /// (`original_resource_id`, `ID`), would clash. Gnocchi lets some of these through and then fails in its
    /// database layer; Stratus refuses them up front.
    /// - Throws: `IndexError.invalidResourceAttribute` "Resource attribute name x is invalid".
    public func validateColumnNames() throws(IndexError) {
        var seen = Set(Resource.genericColumns)
        for attribute in attributes {
            guard seen.insert(attribute.name.lowercased()).inserted else {
                throw IndexError(
                    .invalidResourceAttribute, "Resource attribute name \(attribute.name) is invalid", detail: attribute.name)
            }
        }
    }

    /// The built-in type every resource belongs to, with no attributes of its own.
    public static let genericName = "generic"
}

/// A typed attribute value of a resource (or a `fill` value of a new attribute).
public enum ResourceAttributeValue: Sendable, Hashable {
    case null
    case string(String)
    case uuid(UUID)
    case number(Double)
    case bool(Bool)
    /// Nanoseconds since the epoch.
    case datetime(Int64)
}

/// One change of `Indexer.updateResourceType`: attributes added (with the value that fills existing
/// resources), removed, or with new options.
public struct ResourceTypeUpdate: Sendable, Hashable {
    /// New attributes and the value existing resources get (`options.fill`; `.null` when not required).
    public var add: [(attribute: ResourceAttribute, fill: ResourceAttributeValue)]
    /// Names of attributes to drop.
    public var remove: [String]
    /// Attributes whose options change (same name and type), with the value that replaces NULLs when they
    /// become required.
    public var change: [(attribute: ResourceAttribute, fill: ResourceAttributeValue)]

    public init(
        add: [(attribute: ResourceAttribute, fill: ResourceAttributeValue)] = [], remove: [String] = [],
        change: [(attribute: ResourceAttribute, fill: ResourceAttributeValue)] = []
    ) {
        self.add = add
        self.remove = remove
        self.change = change
    }

    public var isEmpty: Bool { add.isEmpty && remove.isEmpty && change.isEmpty }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.add.map(\.attribute) == rhs.add.map(\.attribute) && lhs.add.map(\.fill) == rhs.add.map(\.fill)
            && lhs.remove == rhs.remove && lhs.change.map(\.attribute) == rhs.change.map(\.attribute)
            && lhs.change.map(\.fill) == rhs.change.map(\.fill)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(add.map(\.attribute))
        hasher.combine(remove)
        hasher.combine(change.map(\.attribute))
    }
}
