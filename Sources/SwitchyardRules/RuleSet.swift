public import SwitchyardCore

/// The rules from every rule file, validated and compiled, ready to match tickets.
///
/// Build one with ``load(directory:departments:limits:)`` or
/// ``parse(_:file:departments:limits:)``. A rule set is immutable and can be matched from
/// any number of tasks at once; to pick up edited files, load a new one and swap it in.
public struct RuleSet: Sendable {
    /// Every rule in the order it runs (among the rules of its kind): higher `precedence`
    /// first, then files in name order, rules in file order.
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
            // Deciding and fallback rules always name a department (the parser sees to it).
            guard let department = rule.action.department else { continue }
            if rule.condition.holds(for: ticket, ruleID: rule.id, stopped: &stopped) {
                let match = RuleMatch(
                    ruleID: rule.id,
                    department: department,
                    priority: rule.action.priority,
                    tags: rule.action.tags
                )
                return RuleEvaluation(match: match, stoppedMatches: stopped)
            }
        }
        return RuleEvaluation(match: nil, stoppedMatches: stopped)
    }

    /// Runs every annotating rule (`decide: false`) on `ticket`, in order: each one that
    /// matches adds its tags (in order, once each) and may raise the priority (the highest
    /// wins).
    public func annotations(for ticket: Ticket) -> RuleAnnotations {
        var annotations = RuleAnnotations()
        for rule in rules where rule.kind == .annotating {
            guard rule.condition.holds(for: ticket, ruleID: rule.id, stopped: &annotations.stoppedMatches) else { continue }
            annotations.ruleIDs.append(rule.id)
            annotations.add(priority: rule.action.priority, tags: rule.action.tags)
        }
        return annotations
    }
}

/// What the annotating rules that matched a ticket add to its decision, whoever decides.
///
/// Combining with the decision: tags are merged (the annotations' first, then the decider's,
/// each once), and the priority is the highest of the annotations' and the decider's, so a
/// VIP rule raises a ticket to `urgent` and a model that says `low` cannot lower it.
public struct RuleAnnotations: Sendable, Hashable {
    /// The annotating rules that matched, in order.
    public var ruleIDs: [String] = []
    public var priority: Priority?
    public var tags: [String] = []
    /// Matches PCRE2 gave up on (each counted as "no match").
    public var stoppedMatches: [RuleEvaluation.StoppedMatch] = []

    public init() {}

    mutating func add(priority: Priority?, tags: [String]) {
        self.priority = RuleAnnotations.highest(self.priority, priority)
        self.tags = (self.tags + tags).removingDuplicates()
    }

    /// `decision` with these annotations applied: tags merged, priority the highest.
    public func applied(to decision: (priority: Priority?, tags: [String])) -> (priority: Priority?, tags: [String]) {
        (Self.highest(priority, decision.priority), (tags + decision.tags).removingDuplicates())
    }

    static func highest(_ first: Priority?, _ second: Priority?) -> Priority? {
        switch (first, second) {
        case (let first?, let second?): max(first, second)
        default: first ?? second
        }
    }
}
