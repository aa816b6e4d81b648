/// Whether `name` matches the shell pattern, as Python's `fnmatch.fnmatch` on POSIX (case-sensitive).
///
/// `*` matches any run of characters (including `/` and newlines), `?` one character, `[seq]` one character
/// in the set, `[!seq]` one not in it; there is no escaping. Characters are Unicode scalars, as Python's `str`.
public func fnmatch(_ name: String, pattern: String) -> Bool {
    FNMatchPattern(pattern).matches(name)
}

/// A compiled `fnmatch` pattern (see `fnmatch(_:pattern:)`).
public struct FNMatchPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case star
        case any
        case literal(Unicode.Scalar)
        case set(CharacterSet)
        /// An empty set: never matches (`[z-a]`).
        case never
    }

    /// A bracket expression: ranges of scalar values, possibly negated.
    struct CharacterSet: Sendable, Hashable {
        var negated: Bool
        var ranges: [ClosedRange<UInt32>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(scalar.value) } != negated
        }
    }

    let tokens: [Token]

    /// Compiles a pattern.
    public init(_ pattern: String) {
        let p = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        while i < p.count {
            let c = p[i]
            i += 1
            switch c {
            case "*":
                if tokens.last != .star { tokens.append(.star) }
            case "?":
                tokens.append(.any)
            case "[":
                // Find the closing bracket as Python does: a leading `!` and then a leading `]` are part of the set.
                var j = i
                if j < p.count, p[j] == "!" { j += 1 }
                if j < p.count, p[j] == "]" { j += 1 }
                while j < p.count, p[j] != "]" { j += 1 }
                if j >= p.count {
                    tokens.append(.literal("["))
                } else {
                    tokens.append(Self.bracket(Array(p[i..<j])))
                    i = j + 1
                }
            default:
                tokens.append(.literal(c))
            }
        }
        self.tokens = tokens
    }

    /// Translates a bracket body exactly as `fnmatch.translate` does, then reads it as `re` would.
    private static func bracket(_ body: [Unicode.Scalar]) -> Token {
        // Split into chunks at range hyphens (a hyphen right after `[` or `[!`, or right after a range, is literal).
        var chunks: [[Unicode.Scalar]]
        if !body.contains("-") {
            chunks = [body]
        } else {
            chunks = []
            var start = 0
            var k = body.first == "!" ? 2 : 1
            while true {
                guard k < body.count, let found = body[k...].firstIndex(of: "-") else { break }
                chunks.append(Array(body[start..<found]))
                start = found + 1
                k = found + 3
            }
            let tail = Array(body[start...])
            if tail.isEmpty {
                chunks[chunks.count - 1].append("-")
            } else {
                chunks.append(tail)
            }
            // Remove empty ranges (`z-a`), as Python does before compiling.
            var k2 = chunks.count - 1
            while k2 > 0 {
                if let last = chunks[k2 - 1].last, let first = chunks[k2].first, last.value > first.value {
                    chunks[k2 - 1] = Array(chunks[k2 - 1].dropLast()) + chunks[k2].dropFirst()
                    chunks.remove(at: k2)
                }
                k2 -= 1
            }
        }
        // Items: literals inside chunks, and a range operator between consecutive chunks.
        enum Item { case char(Unicode.Scalar), hyphen }
        var items: [Item] = []
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { items.append(.hyphen) }
            items += chunk.map { Item.char($0) }
        }
        if items.isEmpty { return .never }
        var negated = false
        if case .char("!") = items[0] {
            if items.count == 1 { return .any }
            negated = true
            items.removeFirst()
        }
        // Read `a-b` greedily as `re` does; a lone range hyphen at the end is a literal.
        var ranges: [ClosedRange<UInt32>] = []
        var index = 0
        func scalar(_ item: Item) -> Unicode.Scalar {
            if case .char(let c) = item { return c }
            return "-"
        }
        while index < items.count {
            let low = scalar(items[index])
            if index + 2 < items.count, case .hyphen = items[index + 1] {
                let high = scalar(items[index + 2])
                // Python would raise re.error for a reversed range that survived; match nothing for it.
                if low.value <= high.value { ranges.append(low.value...high.value) }
                index += 3
            } else {
                ranges.append(low.value...low.value)
                index += 1
            }
        }
        return .set(CharacterSet(negated: negated, ranges: ranges))
    }

    /// Whether the whole of `name` matches.
    public func matches(_ name: String) -> Bool {
        let s = Array(name.unicodeScalars)
        var ti = 0, si = 0
        // Classic wildcard matching with backtracking to the last star: every other token is one character.
        var starToken: Int? = nil, starSubject = 0
        while si < s.count {
            if ti < tokens.count, tokens[ti] != .star, Self.matchOne(tokens[ti], s[si]) {
                ti += 1
                si += 1
            } else if ti < tokens.count, tokens[ti] == .star {
                starToken = ti
                starSubject = si
                ti += 1
            } else if let star = starToken {
                ti = star + 1
                starSubject += 1
                si = starSubject
            } else {
                return false
            }
        }
        while ti < tokens.count, tokens[ti] == .star { ti += 1 }
        return ti == tokens.count
    }

    private static func matchOne(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
        switch token {
        case .star: return true
        case .any: return true
        case .literal(let c): return c == scalar
        case .set(let set): return set.contains(scalar)
        case .never: return false
        }
    }
}
