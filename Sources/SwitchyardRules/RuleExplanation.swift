import Foundation
public import SwitchyardCore

/// Every rule a ticket meets, in the order triage runs them, with every test that ran:
/// what `switchyard rules explain` prints.
public struct RuleExplanation: Sendable {
    public var ruleSetVersion: String
    /// Every annotating rule (all run).
    public var annotating: RuleEvaluation
    /// Deciding rules until the first match.
    public var deciding: RuleEvaluation
    /// Fallback rules until the first match: consulted only when the model stage cannot decide.
    public var fallback: RuleEvaluation
    /// Where each rule is written, for the report.
    let locations: [String: String]

    /// The explanation as text: each rule with its place, each test with whether it held and
    /// the text it matched, and why evaluation stopped.
    public func text(for ticket: Ticket) -> String {
        var lines: [String] = ["ruleset \(ruleSetVersion)"]
        func section(_ title: String, _ evaluation: RuleEvaluation, _ empty: String) {
            lines.append("")
            lines.append(title)
            if evaluation.trace.steps.isEmpty { lines.append("  \(empty)") }
            for step in evaluation.trace.steps {
                let place = locations[step.ruleID].map { "  \($0)" } ?? ""
                lines.append("  \(step.matched ? "✓" : "✗") \(step.ruleID)\(place)")
                for test in step.tests {
                    var line = "      \(test.path): \(test.field) \(test.test) — "
                    if let stopped = test.stopped {
                        line += "stopped (\(stopped)), counted as no match"
                    } else if test.held {
                        line += "held"
                        let texts = test.spans.compactMap { span in Self.text(of: span, field: test.field, in: ticket) }
                        if !texts.isEmpty { line += ": " + texts.joined(separator: ", ") }
                    } else {
                        line += "did not hold"
                    }
                    lines.append(line)
                }
            }
        }
        section("annotating rules (every match adds tags, priority and fields):", annotating, "none")
        if !annotating.trace.steps.isEmpty {
            let matched = annotating.trace.steps.filter(\.matched).map(\.ruleID)
            lines.append("  → " + (matched.isEmpty ? "none matched" : "annotated by " + matched.joined(separator: ", ")))
        }
        section("deciding rules (the first match decides):", deciding, "none")
        if let match = deciding.match {
            lines.append("  → stopped: \"\(match.ruleID)\" decides \(match.department.rawValue); no model is asked")
            return lines.joined(separator: "\n")
        }
        lines.append("  → no deciding rule matched: the model stage decides")
        section("fallback rules (the first match decides when the model stage cannot):", fallback, "none")
        if let match = fallback.match {
            lines.append("  → if the model stage cannot decide: \"\(match.ruleID)\" decides \(match.department.rawValue)")
        } else {
            lines.append("  → if the model stage cannot decide and no fallback rule matches: the default department")
        }
        return lines.joined(separator: "\n")
    }

    /// The matched text, quoted, with its place: `"lost" at 2–6`.
    static func text(of span: TextSpan, field name: String, in ticket: Ticket) -> String? {
        guard let field = Field(name: name) else { return nil }
        let values = field.values(in: ticket)
        let index = span.value ?? 0
        guard index < values.count else { return nil }
        let scalars = Array(values[index].unicodeScalars)
        guard span.start <= span.end, span.end <= scalars.count else { return nil }
        var text = String(String.UnicodeScalarView(scalars[span.start..<span.end]))
        if text.count > 80 { text = text.prefix(77) + "…" }
        let escaped = text.replacingOccurrences(of: "\n", with: "\\n")
        let place = span.value.map { "tag \($0), " } ?? ""
        return "\"\(escaped)\" at \(place)\(span.start)–\(span.end)"
    }
}

extension RuleSet {
    /// Runs every rule kind on `ticket` recording everything: annotating rules, deciding rules
    /// until one matches, and fallback rules until one matches.
    public func explain(_ ticket: Ticket) -> RuleExplanation {
        RuleExplanation(
            ruleSetVersion: version,
            annotating: {
                let annotations = annotations(for: ticket, trace: .full)
                return RuleEvaluation(match: nil, stoppedMatches: annotations.stoppedMatches, trace: annotations.trace)
            }(),
            deciding: evaluate(ticket, kind: .deciding, trace: .full),
            fallback: evaluate(ticket, kind: .fallback, trace: .full),
            locations: Dictionary(rules.map { ($0.id, "\($0.location)") }, uniquingKeysWith: { first, _ in first })
        )
    }
}
