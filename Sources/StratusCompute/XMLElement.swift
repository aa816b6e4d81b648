/// An element of a small XML document tree: the domain XML and nova metadata libvirt returns.
///
/// Names are local names; ``namespace`` is the resolved namespace URI (nil for no namespace),
/// so `<nova:instance xmlns:nova="…/nova/1.1">` is `instance` in that namespace whatever the
/// prefix.
public struct XMLElement: Sendable, Hashable {
    /// The local name.
    public var name: String
    /// The namespace URI, resolved from the `xmlns` declarations in scope.
    public var namespace: String?
    /// Attributes by name as written (prefixed attributes keep their prefix); `xmlns`
    /// declarations are not included.
    public var attributes: [String: String]
    /// Child elements, in document order.
    public var children: [XMLElement]
    /// The character data directly inside the element, entities decoded, surrounding white space
    /// trimmed.
    public var text: String

    /// Creates an element.
    public init(
        name: String, namespace: String? = nil, attributes: [String: String] = [:], children: [XMLElement] = [],
        text: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this local name (and namespace, when given).
    public func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// Every child with this local name.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The first element at a slash-separated path of local names below this one (`"os/type"`).
    public func first(_ path: String) -> XMLElement? {
        var current = self
        for step in path.split(separator: "/") {
            guard let next = current.child(String(step)) else { return nil }
            current = next
        }
        return current
    }

    /// Every element at a slash-separated path (`"devices/disk"`), in document order.
    public func all(_ path: String) -> [XMLElement] {
        var level = [self]
        for step in path.split(separator: "/") {
            let name = String(step)
            level = level.flatMap { $0.children(name) }
        }
        return level
    }

    /// The first descendant (depth first, this element included) with this name and namespace.
    public func descendant(_ name: String, namespace: String?) -> XMLElement? {
        if self.name == name && self.namespace == namespace { return self }
        for child in children {
            if let found = child.descendant(name, namespace: namespace) { return found }
        }
        return nil
    }
}
