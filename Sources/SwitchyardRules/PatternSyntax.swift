/// The pieces of PCRE2 syntax that the pattern readers (``PatternRisks`` for `rules lint`,
/// ``RequiredLiterals`` for the prefilter) both need, read one way: quantifiers, character
/// classes and escapes. Neither reader compiles the pattern; PCRE2 already accepted it.
enum PatternSyntax {
    /// A quantifier: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, with a lazy `?` or possessive `+`.
    struct Quantifier: Hashable {
        var minimum: Int
        /// nil: unbounded.
        var maximum: Int?
        var possessive: Bool
        /// How many scalars it takes.
        var length: Int
    }

    /// The quantifier at `index`, or nil (a `{` that is not `{n…}` is a literal brace).
    static func quantifier(in scalars: [Unicode.Scalar], at index: Int) -> Quantifier? {
        guard index < scalars.count else { return nil }
        var quantifier: Quantifier
        switch scalars[index] {
        case "*": quantifier = Quantifier(minimum: 0, maximum: nil, possessive: false, length: 1)
        case "+": quantifier = Quantifier(minimum: 1, maximum: nil, possessive: false, length: 1)
        case "?": quantifier = Quantifier(minimum: 0, maximum: 1, possessive: false, length: 1)
        case "{":
            guard let close = scalars[index...].firstIndex(of: "}") else { return nil }
            let parts = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                .split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let low = Int(parts[0]) else { return nil }
            let high: Int?
            if parts.count == 1 {
                high = low
            } else if parts[1].isEmpty {
                high = nil
            } else {
                guard let bound = Int(parts[1]) else { return nil }
                high = bound
            }
            quantifier = Quantifier(minimum: low, maximum: high, possessive: false, length: close - index + 1)
        default:
            return nil
        }
        let after = index + quantifier.length
        if after < scalars.count, scalars[after] == "+" || scalars[after] == "?" {
            quantifier.possessive = scalars[after] == "+"
            quantifier.length += 1  // lazy `?` still backtracks: only possessive is marked
        }
        return quantifier
    }

    /// The index after the character class that opens at `index` (`[`), or nil when it never closes.
    static func classEnd(in scalars: [Unicode.Scalar], from index: Int) -> Int? {
        var index = index + 1
        if index < scalars.count, scalars[index] == "^" { index += 1 }
        if index < scalars.count, scalars[index] == "]" { index += 1 }
        while index < scalars.count, scalars[index] != "]" {
            if scalars[index] == "\\" {
                index += 2
            } else if scalars[index] == "[", index + 1 < scalars.count, scalars[index + 1] == ":",
                let close = scalars[index...].firstIndex(of: "]")
            {
                index = close + 1  // a POSIX class, [:alpha:]
            } else {
                index += 1
            }
        }
        return index < scalars.count ? index + 1 : nil
    }

    /// The index after the escape that starts at `index` (`\`): two scalars, or more for
    /// `\p{…}`, `\x{…}`, `\N{…}`, `\g{…}`, `\k<…>`.
    static func escapeEnd(in scalars: [Unicode.Scalar], at index: Int) -> Int {
        let end = index + 2
        guard end - 1 < scalars.count, "pPxNgk".unicodeScalars.contains(scalars[end - 1]), end < scalars.count,
            scalars[end] == "{" || scalars[end] == "<",
            let close = scalars[end...].firstIndex(of: scalars[end] == "{" ? "}" : ">")
        else { return end }
        return close + 1
    }

    /// Escapes that match no text: `\b`, `\B`, `\A`, `\z`, `\Z`, `\G`.
    static func isAssertion(_ escaped: Unicode.Scalar) -> Bool {
        "bBAzZG".unicodeScalars.contains(escaped)
    }
}
