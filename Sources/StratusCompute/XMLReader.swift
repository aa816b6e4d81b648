/// A malformed XML document.
public struct XMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset of the problem.
    public var offset: Int
    /// What is wrong.
    public var reason: String

    public var description: String { "invalid XML at byte \(offset): \(reason)" }
}

/// A small non-validating XML reader for the documents libvirt produces (domain XML, metadata):
/// elements, attributes, character data, the predefined and numeric entities, CDATA, comments,
/// processing instructions and namespaces. DTDs are refused.
///
/// A hand-written scanner over UTF-8 bytes rather than Foundation's `XMLParser`, which would link
/// FoundationXML (and a second copy of libxml2's API surface) into the agent for a few kilobytes
/// of machine-generated XML per domain and cycle.
public enum XMLReader {
    /// Parses a document and returns its root element.
    /// - Throws: ``XMLReadError`` for malformed input (unclosed or mismatched tags, bad
    ///   attributes, unknown entities, no root element, content after the root).
    public static func parse(_ text: String) throws(XMLReadError) -> XMLElement {
        var copy = text
        let result = copy.withUTF8 { bytes -> Result<XMLElement, XMLReadError> in
            var scanner = Scanner(bytes: bytes)
            do throws(XMLReadError) {
                return .success(try scanner.document())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private struct Open {
        var prefix: Substring?
        var qualifiedName: String
        var element: XMLElement
        var namespaces: [String: String]  // prefix ("" for default) → URI declared on this element
        var text: [UInt8]
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ reason: String) -> XMLReadError { XMLReadError(offset: index, reason: reason) }

        mutating func document() throws(XMLReadError) -> XMLElement {
            var stack = [Open]()
            var root: XMLElement?
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") {
                    if starts(with: "<!--") {
                        try skip(past: "-->")
                    } else if starts(with: "<?") {
                        try skip(past: "?>")
                    } else if starts(with: "<![CDATA[") {
                        guard !stack.isEmpty else { throw error("character data outside the root element") }
                        index += 9
                        let start = index
                        try skip(past: "]]>")
                        stack[stack.count - 1].text.append(contentsOf: bytes[start..<(index - 3)])
                    } else if starts(with: "<!") {
                        throw error("document type declarations are not supported")
                    } else if starts(with: "</") {
                        index += 2
                        let name = try readName()
                        skipSpaces()
                        try expect(UInt8(ascii: ">"))
                        guard var open = stack.popLast() else { throw error("closing tag </\(name)> without an open element") }
                        guard open.qualifiedName == name else {
                            throw error("closing tag </\(name)> does not match <\(open.qualifiedName)>")
                        }
                        open.element.text = try decodeText(open.text)
                        if stack.isEmpty {
                            root = open.element
                            try trailer()
                            guard let root else { throw error("no root element") }
                            return root
                        }
                        stack[stack.count - 1].element.children.append(open.element)
                    } else {
                        guard root == nil else { throw error("content after the root element") }
                        let (open, selfClosing) = try startTag(scopes: stack)
                        if selfClosing {
                            if stack.isEmpty {
                                try trailer()
                                return open.element
                            }
                            stack[stack.count - 1].element.children.append(open.element)
                        } else {
                            stack.append(open)
                        }
                    }
                } else {
                    let start = index
                    while index < bytes.count && bytes[index] != UInt8(ascii: "<") { index += 1 }
                    if stack.isEmpty {
                        guard bytes[start..<index].allSatisfy(Self.isSpace) else {
                            throw XMLReadError(offset: start, reason: "character data outside the root element")
                        }
                    } else {
                        stack[stack.count - 1].text.append(contentsOf: bytes[start..<index])
                    }
                }
            }
            if let open = stack.last { throw error("element <\(open.qualifiedName)> is not closed") }
            throw error("no root element")
        }

        /// Only comments, processing instructions and white space may follow the root.
        mutating func trailer() throws(XMLReadError) {
            while index < bytes.count {
                if Self.isSpace(bytes[index]) {
                    index += 1
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<?") {
                    try skip(past: "?>")
                } else {
                    throw error("content after the root element")
                }
            }
        }

        mutating func startTag(scopes: [Open]) throws(XMLReadError) -> (Open, Bool) {
            index += 1
            let qualified = try readName()
            var attributes = [String: String]()
            var declared = [String: String]()
            var selfClosing = false
            while true {
                let hadSpace = skipSpaces()
                guard index < bytes.count else { throw error("unterminated start tag <\(qualified)>") }
                if bytes[index] == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                if bytes[index] == UInt8(ascii: "/") {
                    index += 1
                    try expect(UInt8(ascii: ">"))
                    selfClosing = true
                    break
                }
                guard hadSpace else { throw error("expected white space between attributes of <\(qualified)>") }
                let name = try readName()
                skipSpaces()
                try expect(UInt8(ascii: "="))
                skipSpaces()
                let value = try readAttributeValue()
                if name == "xmlns" {
                    declared[""] = value
                } else if name.hasPrefix("xmlns:") {
                    declared[String(name.dropFirst(6))] = value
                } else {
                    guard attributes[name] == nil else { throw error("duplicate attribute '\(name)' on <\(qualified)>") }
                    attributes[name] = value
                }
            }
            let prefix: Substring?
            let local: String
            if let colon = qualified.firstIndex(of: ":") {
                prefix = qualified[..<colon]
                local = String(qualified[qualified.index(after: colon)...])
            } else {
                prefix = nil
                local = qualified
            }
            let key = prefix.map(String.init) ?? ""
            var namespace = declared[key]
            if namespace == nil {
                for scope in scopes.reversed() {
                    if let uri = scope.namespaces[key] {
                        namespace = uri
                        break
                    }
                }
            }
            if prefix != nil, namespace == nil, key != "xml" {
                throw error("undeclared namespace prefix '\(key)' on <\(qualified)>")
            }
            let element = XMLElement(
                name: local, namespace: namespace?.isEmpty == true ? nil : namespace, attributes: attributes)
            return (Open(prefix: prefix, qualifiedName: qualified, element: element, namespaces: declared, text: []), selfClosing)
        }

        mutating func readName() throws(XMLReadError) -> String {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if Self.isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/")
                    || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "<") {
                    break
                }
                index += 1
            }
            guard index > start else { throw error("expected a name") }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        mutating func readAttributeValue() throws(XMLReadError) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw error("expected a quoted attribute value")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count && bytes[index] != quote {
                if bytes[index] == UInt8(ascii: "<") { throw error("'<' in an attribute value") }
                index += 1
            }
            guard index < bytes.count else { throw error("unterminated attribute value") }
            let raw = Array(bytes[start..<index])
            index += 1
            return try decodeEntities(raw, at: start)
        }

        func decodeText(_ raw: [UInt8]) throws(XMLReadError) -> String {
            guard let first = raw.firstIndex(where: { !Self.isSpace($0) }),
                  let last = raw.lastIndex(where: { !Self.isSpace($0) }) else { return "" }
            return try decodeEntities(Array(raw[first...last]), at: index)
        }

        func decodeEntities(_ raw: [UInt8], at offset: Int) throws(XMLReadError) -> String {
            guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
            var out = [UInt8]()
            out.reserveCapacity(raw.count)
            var i = 0
            while i < raw.count {
                guard raw[i] == UInt8(ascii: "&") else {
                    out.append(raw[i])
                    i += 1
                    continue
                }
                guard let end = raw[i...].firstIndex(of: UInt8(ascii: ";")) else {
                    throw XMLReadError(offset: offset, reason: "unterminated entity reference")
                }
                let name = String(decoding: raw[(i + 1)..<end], as: UTF8.self)
                switch name {
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "amp": out.append(UInt8(ascii: "&"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    let scalar: UInt32?
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        scalar = UInt32(name.dropFirst(2), radix: 16)
                    } else if name.hasPrefix("#") {
                        scalar = UInt32(name.dropFirst(1))
                    } else {
                        scalar = nil
                    }
                    guard let scalar, let character = Unicode.Scalar(scalar) else {
                        throw XMLReadError(offset: offset, reason: "unknown entity '&\(name);'")
                    }
                    out.append(contentsOf: Array(String(Character(character)).utf8))
                }
                i = end + 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        func starts(with prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let pointer = prefix.utf8Start
            for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
            return true
        }

        mutating func skip(past terminator: StaticString) throws(XMLReadError) {
            while index < bytes.count {
                if starts(with: terminator) {
                    index += terminator.utf8CodeUnitCount
                    return
                }
                index += 1
            }
            throw error("unterminated construct, expected '\(terminator)'")
        }

        mutating func expect(_ byte: UInt8) throws(XMLReadError) {
            guard index < bytes.count, bytes[index] == byte else {
                throw error("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }

        @discardableResult
        mutating func skipSpaces() -> Bool {
            let start = index
            while index < bytes.count && Self.isSpace(bytes[index]) { index += 1 }
            return index > start
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
        }
    }
}
