/// Shapes of a regular expression that are prone to catastrophic backtracking, found by
/// reading the pattern (not by running it): what `switchyard rules lint` warns about.
///
/// A pattern that backtracks catastrophically on some ticket is stopped at the match limit
/// and counts as "no match", so the rule silently misses tickets. Two shapes cause most of it:
///
/// - **Nested quantifiers**: a group that repeats without bound around something that also
///   repeats without bound, `(a+)+`, `(\w+\s?)*`, `(?:x*y?)+`.
/// - **An unbounded gap between words**: `.*` or `.+` with text on both sides,
///   `refund.*order`, which on a long e-mail tries every split of the text.
///
/// Possessive quantifiers (`*+`, `++`) and atomic groups (`(?>…)`) do not backtrack and are
/// not reported.
public enum PatternRisks {
    public struct Risk: Sendable, Hashable {
        /// Where the shape starts, in Unicode scalars from the start of the pattern (0-based).
        public var offset: Int
        public var message: String
    }

    public static func find(in source: String) -> [Risk] {
        let scalars = Array(source.unicodeScalars)
        var risks: [Risk] = []
        struct Frame {
            var start: Int
            var atomic: Bool
            var containsUnbounded = false
            /// Whether anything that matches text came before the current position.
            var hasContent = false
        }
        var stack = [Frame(start: 0, atomic: false)]
        var index = 0
        /// Applies the quantifier after an atom; returns the index after it.
        func afterAtom(_ next: Int, atomStart: Int, isDot: Bool) -> Int {
            guard let found = PatternSyntax.quantifier(in: scalars, at: next) else {
                stack[stack.count - 1].hasContent = true
                return next
            }
            let risky = found.maximum == nil && !found.possessive && !stack[stack.count - 1].atomic
            if risky {
                stack[stack.count - 1].containsUnbounded = true
                if isDot, stack[stack.count - 1].hasContent, hasContent(after: next + found.length) {
                    risks.append(
                        Risk(
                            offset: atomStart,
                            message: "unbounded `.\(String(scalars[next]))` between words can try every split of a long text; "
                                + "bound it, for example `.{0,40}`"))
                }
            }
            stack[stack.count - 1].hasContent = true
            return next + found.length
        }
        /// Whether something that matches text follows `index` (not just `)`, `$` or the end).
        func hasContent(after index: Int) -> Bool {
            scalars[min(index, scalars.count)...].contains { !")$|".unicodeScalars.contains($0) }
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                let start = index
                index = PatternSyntax.escapeEnd(in: scalars, at: index)
                // Anchors and assertions match no text.
                if start + 1 < scalars.count, PatternSyntax.isAssertion(scalars[start + 1]) { continue }
                index = afterAtom(index, atomStart: start, isDot: false)
            case "[":
                let start = index
                index = afterAtom(PatternSyntax.classEnd(in: scalars, from: index) ?? scalars.count, atomStart: start, isDot: false)
            case "(":
                let start = index
                var atomic = false
                if index + 1 < scalars.count, scalars[index + 1] == "?" {
                    // (?i) and the like set options and match nothing.
                    if let close = scalars[index...].firstIndex(of: ")"),
                        scalars[(index + 2)..<close].allSatisfy({ "imsxnU-^".unicodeScalars.contains($0) })
                    {
                        index = close + 1
                        continue
                    }
                    atomic = index + 2 < scalars.count && scalars[index + 2] == ">"
                }
                stack.append(Frame(start: start, atomic: atomic || stack[stack.count - 1].atomic))
                index += 1
            case ")":
                guard stack.count > 1 else {
                    index += 1
                    continue
                }
                let group = stack.removeLast()
                if let found = PatternSyntax.quantifier(in: scalars, at: index + 1), found.maximum == nil, !found.possessive,
                    group.containsUnbounded, !group.atomic
                {
                    risks.append(
                        Risk(
                            offset: group.start,
                            message: "nested quantifiers: a group repeated without bound around a repetition without bound "
                                + "can backtrack catastrophically on a long text (PCRE2 then stops at its limit and the rule does not match); "
                                + "bound one of them, make it possessive (`++`) or atomic (`(?>…)`)"))
                }
                if group.containsUnbounded { stack[stack.count - 1].containsUnbounded = true }
                index = afterAtom(index + 1, atomStart: group.start, isDot: false)
            case "|":
                stack[stack.count - 1].hasContent = false
                index += 1
            case "^", "$":
                index += 1
            case ".":
                index = afterAtom(index + 1, atomStart: index, isDot: true)
            default:
                index = afterAtom(index + 1, atomStart: index, isDot: false)
            }
        }
        return risks
    }
}
