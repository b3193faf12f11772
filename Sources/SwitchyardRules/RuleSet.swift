public import SwitchyardCore

/// The rules from every rule file, validated and compiled, ready to match tickets.
///
/// Build one with ``load(directory:departments:limits:)`` or
/// ``parse(_:file:departments:limits:)``. A rule set is immutable and can be matched from
/// any number of tasks at once; to pick up edited files, load a new one and swap it in.
public struct RuleSet: Sendable {
    /// Every rule: files in name order, rules in file order.
    public let rules: [Rule]
    /// Content hash of the files (names and text): the first 12 hex digits of a SHA-256.
    /// Recorded with every decision, so that it can be traced to the rules in force.
    public let version: String
    /// The files the rules came from, as named in diagnostics and locations.
    public let files: [String]

    init(rules: [Rule], version: String, files: [String]) {
        self.rules = rules
        self.version = version
        self.files = files
    }

    /// No rules at all: every ticket goes on to the model stage.
    public static let empty = RuleSet(rules: [], version: RuleSetVersion().finalize(), files: [])

    /// The first deciding (non-fallback) rule that matches `ticket`, in order.
    public func firstDecidingMatch(for ticket: Ticket) -> RuleMatch? {
        evaluate(ticket, kind: .deciding).match
    }

    /// The first fallback rule that matches `ticket`, in order. Consulted only when the
    /// model stage could not decide.
    public func firstFallbackMatch(for ticket: Ticket) -> RuleMatch? {
        evaluate(ticket, kind: .fallback).match
    }

    /// Runs the rules of one kind on `ticket`, in order, until one matches; also reports
    /// the matches that PCRE2 gave up on along the way (each counted as "no match").
    public func evaluate(_ ticket: Ticket, kind: Rule.Kind) -> RuleEvaluation {
        var stopped: [RuleEvaluation.StoppedMatch] = []
        for rule in rules where rule.kind == kind {
            if rule.condition.holds(for: ticket, ruleID: rule.id, stopped: &stopped) {
                let match = RuleMatch(
                    ruleID: rule.id,
                    department: rule.action.department,
                    priority: rule.action.priority,
                    tags: rule.action.tags
                )
                return RuleEvaluation(match: match, stoppedMatches: stopped)
            }
        }
        return RuleEvaluation(match: nil, stoppedMatches: stopped)
    }
}
