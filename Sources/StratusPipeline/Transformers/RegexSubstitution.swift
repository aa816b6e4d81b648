import StratusCore

/// Python's `re.sub(pattern, replacement, text)`: every non-overlapping match of `pattern`
/// replaced by the template, where `\1`…`\99`, `\g<1>` and `\g<name>` insert groups (empty when
/// the group did not take part) and `\n`, `\t`, `\\` are escapes. Used by `map_from`/`map_to`.
struct RegexSubstitution: @unchecked Sendable, Hashable {
    // `@unchecked`: `Regex<AnyRegexOutput>` is immutable once built and only read here.
    enum Part: Hashable {
        case text(String)
        case group(Int)
        case namedGroup(String)
    }

    let pattern: String
    let template: String
    private let regex: Regex<AnyRegexOutput>
    private let parts: [Part]
    /// Results by input: meter names and units are few, and Swift's `Regex` is slow per call.
    private let results = BoundedCache<String, String?>()

    /// Compiles the pattern and the template.
    /// - Throws: `TransformerParameterError`-ready reasons as `String` via ``Failure``.
    init(pattern: String, template: String) throws(Failure) {
        do {
            regex = try Regex(pattern)
        } catch {
            throw Failure(reason: "invalid regular expression '\(pattern)': \(error)")
        }
        self.pattern = pattern
        self.template = template
        parts = try Self.parse(template)
    }

    struct Failure: Error {
        var reason: String
    }

    static func == (lhs: RegexSubstitution, rhs: RegexSubstitution) -> Bool {
        lhs.pattern == rhs.pattern && lhs.template == rhs.template
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(template)
    }

    /// `re.sub`; nil when the template names a group the pattern lacks (Python raises, and
    /// Ceilometer then keeps the unmapped value).
    func apply(to text: String) -> String? {
        results.value(for: text, substitute)
    }

    private func substitute(_ text: String) -> String? {
        var failed = false
        let result = text.replacing(regex) { match -> String in
            var out = ""
            for part in parts {
                switch part {
                case .text(let literal):
                    out += literal
                case .group(let number):
                    guard number < match.output.count else {
                        failed = true
                        return ""
                    }
                    if let substring = match.output[number].substring { out += substring }
                case .namedGroup(let name):
                    guard let group = match.output[name] else {
                        failed = true
                        return ""
                    }
                    if let substring = group.substring { out += substring }
                }
            }
            return out
        }
        return failed ? nil : result
    }

    private static func parse(_ template: String) throws(Failure) -> [Part] {
        var parts: [Part] = []
        var literal = ""
        let scalars = Array(template.unicodeScalars)
        var i = 0
        func flush() {
            if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
        }
        while i < scalars.count {
            let c = scalars[i]
            guard c == "\\", i + 1 < scalars.count else {
                literal.unicodeScalars.append(c)
                i += 1
                continue
            }
            let next = scalars[i + 1]
            if ("0"..."9").contains(next) {
                var digits = String(next)
                var j = i + 2
                if j < scalars.count, ("0"..."9").contains(scalars[j]) {
                    digits.unicodeScalars.append(scalars[j])
                    j += 1
                }
                flush()
                parts.append(.group(Int(digits)!))
                i = j
            } else if next == "g" {
                guard i + 2 < scalars.count, scalars[i + 2] == "<", let close = scalars[(i + 3)...].firstIndex(of: ">") else {
                    throw Failure(reason: "missing group name in '\(template)'")
                }
                let name = String(String.UnicodeScalarView(scalars[(i + 3)..<close]))
                flush()
                if let number = Int(name) { parts.append(.group(number)) } else { parts.append(.namedGroup(name)) }
                i = close + 1
            } else {
                switch next {
                case "n": literal += "\n"
                case "t": literal += "\t"
                case "r": literal += "\r"
                case "\\": literal += "\\"
                default:
                    if ("a"..."z").contains(next) || ("A"..."Z").contains(next) {
                        throw Failure(reason: "bad escape \\\(next) in '\(template)'")
                    }
                    literal.unicodeScalars.append(c)
                    literal.unicodeScalars.append(next)
                }
                i += 2
            }
        }
        flush()
        return parts
    }
}

