/// URL joining as Python's `urllib.parse.urljoin` does it for the http(s) URLs of dynamic
/// pollsters (RFC 3986 reference resolution): a full URL stays as is, `//host/p` keeps the
/// scheme, `/p` replaces the path, `p` is resolved against the base's directory, `?q` keeps the
/// base path; `.` and `..` segments are removed.
enum URLReference {
    /// Whether `text` is an absolute `http://` or `https://` URL with a host.
    static func isAbsoluteHTTP(_ text: String) -> Bool {
        guard let parts = split(text), let scheme = parts.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && !(parts.authority ?? "").isEmpty
    }

    /// Whether `text` names a host (`http://h/…` or `//h/…`), as `urlparse(text).netloc`.
    static func hasAuthority(_ text: String) -> Bool {
        guard let parts = split(text) else { return false }
        return !(parts.authority ?? "").isEmpty
    }

    /// `reference` resolved against `base`.
    static func join(_ base: String, _ reference: String) -> String {
        guard !reference.isEmpty else { return base }
        guard let ref = split(reference), let baseParts = split(base) else { return reference }
        if ref.scheme != nil { return reference }
        var result = Parts(scheme: baseParts.scheme, authority: baseParts.authority, path: "", query: nil, fragment: ref.fragment)
        if ref.authority != nil {
            result.authority = ref.authority
            result.path = removeDotSegments(ref.path)
            result.query = ref.query
        } else if ref.path.isEmpty {
            result.path = baseParts.path
            result.query = ref.query ?? baseParts.query
        } else if ref.path.hasPrefix("/") {
            result.path = removeDotSegments(ref.path)
            result.query = ref.query
        } else {
            let merged: String
            if baseParts.authority != nil, baseParts.path.isEmpty {
                merged = "/" + ref.path
            } else if let slash = baseParts.path.lastIndex(of: "/") {
                merged = String(baseParts.path[...slash]) + ref.path
            } else {
                merged = ref.path
            }
            result.path = removeDotSegments(merged)
            result.query = ref.query
        }
        return result.text
    }

    struct Parts {
        var scheme: String?
        var authority: String?
        var path: String
        var query: String?
        var fragment: String?

        var text: String {
            var out = ""
            if let scheme { out += scheme + ":" }
            if let authority { out += "//" + authority }
            out += path
            if let query { out += "?" + query }
            if let fragment { out += "#" + fragment }
            return out
        }
    }

    /// RFC 3986 appendix B.
    static func split(_ text: String) -> Parts? {
        var rest = Substring(text)
        var parts = Parts(path: "")
        if let hash = rest.firstIndex(of: "#") {
            parts.fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            parts.query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":") {
            let candidate = rest[..<colon]
            if let first = candidate.first, first.isLetter,
               candidate.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
               !candidate.contains("/")
            {
                parts.scheme = String(candidate)
                rest = rest[rest.index(after: colon)...]
            }
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            parts.authority = String(rest[..<end])
            rest = rest[end...]
        }
        parts.path = String(rest)
        return parts
    }

    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        let absolute = path.hasPrefix("/")
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (position, segment) in segments.enumerated() {
            if position == 0, absolute { continue }
            let isLast = position == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }
}
