/// The literal texts a ticket must contain for a pattern (or a whole rule) to possibly match:
/// the prefilter's knowledge (``RulePrefilter``).
///
/// A requirement is a set of alternatives, lowercased ASCII: at least one of them appears, as
/// lowercased ASCII, in any text the pattern matches. nil means "no requirement" (the pattern
/// may match text without any fixed literal, or the reader does not understand it well enough
/// to say): such a rule always runs. The reading is conservative: when in doubt, nil.
enum RequiredLiterals {
    /// Shorter literals say too little to be worth a lookup.
    static let minimumLength = 3

    /// What `source` requires, or nil.
    static func of(pattern source: String) -> Set<String>? {
        // Extended mode makes spaces and `#` insignificant; \Q…\E quotes; backreferences and
        // conditionals tie text to other text: leave such patterns to always run.
        if source.contains("(?x") || source.contains("\\Q") || source.contains("(?(") { return nil }
        var reader = Reader(Array(source.unicodeScalars))
        guard let alternatives = reader.alternation(), reader.atEnd else { return nil }
        return alternatives
    }

    /// What a text comparison requires: the text itself (`contains`, `equals`, `starts_with`,
    /// `ends_with`), when it is long enough and plain ASCII.
    static func of(text: String) -> Set<String>? {
        literal(text).map { [$0] }
    }

    /// `text` lowercased, when it is all ASCII and long enough.
    static func literal(_ text: String) -> String? {
        guard text.unicodeScalars.count >= minimumLength, text.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        return text.lowercased()
    }

    /// The better of two requirements: the one whose shortest alternative is longer, then the
    /// one with fewer alternatives.
    static func better(_ first: Set<String>?, _ second: Set<String>?) -> Set<String>? {
        guard let first else { return second }
        guard let second else { return first }
        let firstShortest = first.map(\.count).min() ?? 0
        let secondShortest = second.map(\.count).min() ?? 0
        if firstShortest != secondShortest { return firstShortest > secondShortest ? first : second }
        return first.count <= second.count ? first : second
    }

    /// A recursive-descent reading of the pattern that keeps only what is needed: literal runs
    /// and groups that must appear.
    private struct Reader {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }

        /// `a|b|c` up to a `)` or the end: the union of the branches' requirements; nil when a
        /// branch has none (or the syntax is not understood).
        mutating func alternation() -> Set<String>?? {
            var union: Set<String> = []
            var everyBranchRequires = true
            while true {
                guard let branch = sequence() else { return .none }
                if let branch { union.formUnion(branch) } else { everyBranchRequires = false }
                guard !atEnd, scalars[index] == "|" else { break }
                index += 1
            }
            return .some(everyBranchRequires ? union : nil)
        }

        /// One branch: the best requirement among its literal runs and required groups.
        /// Outer nil: not understood.
        mutating func sequence() -> Set<String>?? {
            var best: Set<String>?
            var run = ""
            func endRun() {
                if let literal = RequiredLiterals.literal(run) { best = RequiredLiterals.better(best, [literal]) }
                run = ""
            }
            /// Adds a literal character to the run, minding a quantifier after it: `x?`, `x*`
            /// and `x{0,…}` make it optional (the run ends before it); `x+` and `x{2}` keep one
            /// and end the run after it (what follows is not adjacent to the rest).
            func literal(_ scalar: Unicode.Scalar) {
                let (minimum, maximum) = quantifier()
                guard scalar.isASCII, minimum > 0 else {
                    endRun()
                    return
                }
                run.unicodeScalars.append(scalar)
                if maximum != 1 { endRun() }
            }
            while !atEnd, scalars[index] != "|", scalars[index] != ")" {
                let scalar = scalars[index]
                switch scalar {
                case "(":
                    endRun()
                    guard let group = group() else { return .none }
                    let (minimum, _) = quantifier()
                    if minimum > 0, let group { best = RequiredLiterals.better(best, group) }
                case "[":
                    endRun()
                    guard let end = PatternSyntax.classEnd(in: scalars, from: index) else { return .none }
                    index = end
                    _ = quantifier()
                case "\\":
                    guard index + 1 < scalars.count else { return .none }
                    let escaped = scalars[index + 1]
                    if escaped.isASCII, !escaped.properties.isAlphabetic, !("0"..."9").contains(escaped) {
                        // An escaped punctuation character is itself.
                        index += 2
                        literal(escaped)
                        continue
                    }
                    index = PatternSyntax.escapeEnd(in: scalars, at: index)
                    if PatternSyntax.isAssertion(escaped) {
                        endRun()  // zero-width
                    } else if ("1"..."9").contains(escaped) {
                        return .none  // a backreference
                    } else {
                        endRun()
                        _ = quantifier()
                    }
                case "^", "$":
                    endRun()
                    index += 1
                case ".":
                    endRun()
                    index += 1
                    _ = quantifier()
                case "*", "+", "?", "{":
                    // A quantifier with nothing before it, or after a literal handled below.
                    return .none
                default:
                    index += 1
                    literal(scalar)
                }
            }
            endRun()
            return .some(best)
        }

        /// A quantifier at the current place, consumed: its minimum and maximum (nil: unbounded);
        /// (1, 1) when there is none.
        mutating func quantifier() -> (Int, Int?) {
            guard let found = PatternSyntax.quantifier(in: scalars, at: index) else { return (1, 1) }
            index += found.length
            return (found.minimum, found.maximum)
        }

        /// A group from its `(`: its requirement (nil for lookarounds and option settings,
        /// which match no text of their own). Outer nil: not understood.
        mutating func group() -> Set<String>?? {
            index += 1
            var capturesText = true
            if !atEnd, scalars[index] == "?" {
                index += 1
                guard !atEnd else { return .none }
                switch scalars[index] {
                case ":", ">", "|":
                    index += 1
                case "=", "!":
                    index += 1
                    capturesText = false
                case "<":
                    if index + 1 < scalars.count, scalars[index + 1] == "=" || scalars[index + 1] == "!" {
                        index += 2
                        capturesText = false
                    } else {
                        guard let close = scalars[index...].firstIndex(of: ">") else { return .none }
                        index = close + 1  // a named group
                    }
                case "P":
                    guard index + 1 < scalars.count, scalars[index + 1] == "<",
                        let close = scalars[index...].firstIndex(of: ">")
                    else { return .none }
                    index = close + 1
                default:
                    // Option settings: (?i), (?-i), (?i:…).
                    while !atEnd, "imsnUJ-^".unicodeScalars.contains(scalars[index]) { index += 1 }
                    guard !atEnd else { return .none }
                    if scalars[index] == ")" {
                        index += 1
                        return .some(nil)
                    }
                    guard scalars[index] == ":" else { return .none }
                    index += 1
                }
            }
            guard let inner = alternation(), !atEnd, scalars[index] == ")" else { return .none }
            index += 1
            return .some(capturesText ? inner : nil)
        }
    }
}
