public import SwitchyardCore
public import SwitchyardYAML

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
    /// What works but is likely a mistake, found while reading the files (patterns prone to
    /// catastrophic backtracking); ``lint(departments:configuration:)`` adds what needs the whole set.
    public let warnings: [Diagnostic]
    /// Finds the rules that might match a ticket in one scan of its text.
    let prefilter: RulePrefilter
    /// The indices of each kind's rules, in order, and each rule's place among its kind.
    private let indicesByKind: [Rule.Kind: [Int]]
    private let positionInKind: [Int]

    init(rules: [Rule], version: String, files: [String], warnings: [Diagnostic] = []) {
        self.rules = rules
        self.version = version
        self.files = files
        self.warnings = warnings
        self.prefilter = RulePrefilter(rules)
        var indicesByKind: [Rule.Kind: [Int]] = [:]
        var positionInKind: [Int] = []
        for (index, rule) in rules.enumerated() {
            positionInKind.append(indicesByKind[rule.kind, default: []].count)
            indicesByKind[rule.kind, default: []].append(index)
        }
        self.indicesByKind = indicesByKind
        self.positionInKind = positionInKind
    }

    /// How many rules the prefilter can skip when a ticket lacks their literals; the others
    /// (no required literal) run on every ticket.
    public var prefilteredRules: Int { rules.count - prefilter.alwaysRuns.count }

    /// The ids of the rules that need no literal, so the prefilter cannot skip them and they run
    /// on every ticket: few of them keep evaluation fast (`rules list` marks them).
    public var rulesRunningOnEveryTicket: Set<String> { Set(prefilter.alwaysRuns.map { rules[$0].id }) }

    /// The rules that might match `ticket`: one scan of its text. Compute once per ticket and
    /// hand it to ``evaluate(_:kind:trace:candidates:)`` and ``annotations(for:trace:candidates:)``.
    public func candidates(for ticket: Ticket) -> RuleCandidates {
        RuleCandidates(indices: prefilter.candidates(for: ticket))
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
    /// the matches that PCRE2 gave up on along the way (each counted as "no match") and, as
    /// `trace` asks, the rules considered. Rules whose literals the ticket lacks are skipped
    /// (they cannot match), except for a full trace, which runs every rule.
    public func evaluate(
        _ ticket: Ticket, kind: Rule.Kind, trace: TraceDetail = .none, candidates: RuleCandidates? = nil
    ) -> RuleEvaluation {
        var evaluation = RuleEvaluation(match: nil)
        var considered = indicesByKind[kind]?.count ?? 0
        for index in order(of: kind, for: ticket, trace: trace, candidates: candidates) {
            let rule = rules[index]
            // Deciding and fallback rules always name a department (the parser sees to it).
            guard let department = rule.action.department else { continue }
            if let outcome = rule.run(on: ticket, trace: trace, evaluation: &evaluation) {
                evaluation.match = RuleMatch(
                    ruleID: rule.id, department: department, priority: rule.action.priority,
                    tags: outcome.tags, fields: outcome.fields)
                considered = positionInKind[index] + 1
                break
            }
        }
        if trace == .summary { evaluation.trace.omitted = considered - evaluation.trace.steps.count }
        return evaluation
    }

    /// Runs every annotating rule (`decide: false`) on `ticket`, in order: each one that
    /// matches adds its tags (in order, once each) and fields, and may raise the priority (the
    /// highest wins).
    public func annotations(
        for ticket: Ticket, trace: TraceDetail = .none, candidates: RuleCandidates? = nil
    ) -> RuleAnnotations {
        var annotations = RuleAnnotations()
        var evaluation = RuleEvaluation(match: nil)
        for index in order(of: .annotating, for: ticket, trace: trace, candidates: candidates) {
            let rule = rules[index]
            guard let outcome = rule.run(on: ticket, trace: trace, evaluation: &evaluation) else { continue }
            annotations.ruleIDs.append(rule.id)
            annotations.add(priority: rule.action.priority, tags: outcome.tags, fields: outcome.fields)
        }
        if trace == .summary {
            evaluation.trace.omitted = (indicesByKind[.annotating]?.count ?? 0) - evaluation.trace.steps.count
        }
        annotations.stoppedMatches = evaluation.stoppedMatches
        annotations.trace = evaluation.trace
        return annotations
    }

    /// The rules of `kind` to run, in order: every one for a full trace, else the candidates.
    private func order(of kind: Rule.Kind, for ticket: Ticket, trace: TraceDetail, candidates: RuleCandidates?) -> [Int] {
        guard trace != .full else { return indicesByKind[kind] ?? [] }
        let candidates = candidates ?? self.candidates(for: ticket)
        return candidates.indices.filter { rules[$0].kind == kind }
    }
}

/// The rules that might match one ticket (``RuleSet/candidates(for:)``): every rule without a
/// required literal, and those whose literals the ticket contains.
public struct RuleCandidates: Sendable, Hashable {
    /// Indices into ``RuleSet/rules``, ascending.
    public let indices: [Int]
}

/// How much of the rules' evaluation to record in a ``RuleTrace``.
public enum TraceDetail: Sendable, Hashable {
    /// Nothing: the fastest.
    case none
    /// The rules that matched or came close (a test held, or a match stopped at a limit);
    /// the others are only counted. What the server keeps with each decision.
    case summary
    /// Every rule considered and every test that ran: `switchyard rules explain`.
    case full
}

extension Rule {
    /// Whether the rule's condition holds for `ticket`, taken alone, and the matches that
    /// stopped at a limit on the way.
    func conditionHolds(for ticket: Ticket) -> (holds: Bool, stopped: [RuleEvaluation.StoppedMatch]) {
        var evaluation = ConditionEvaluation(ruleID: id, tracing: false, capturing: false, stopped: [])
        let holds = condition.holds(for: ticket, path: "when", &evaluation)
        return (holds, evaluation.stopped)
    }

    /// Evaluates the rule's condition on `ticket`, recording into `evaluation`; when it holds,
    /// the action's tags and fields with the captures filled in.
    fileprivate func run(
        on ticket: Ticket, trace: TraceDetail, evaluation: inout RuleEvaluation
    ) -> (tags: [String], fields: [String: String])? {
        var condition = ConditionEvaluation(
            ruleID: id, tracing: trace != .none, capturing: action.usesCaptures, stopped: evaluation.stoppedMatches)
        // Hand the stopped matches over rather than copying them for every rule.
        evaluation.stoppedMatches = []
        let holds = self.condition.holds(for: ticket, path: "when", &condition)
        evaluation.stoppedMatches = condition.stopped
        // A summary keeps the rules that came close; the caller counts the others as omitted.
        if trace == .full || (trace == .summary && (holds || condition.cameClose)) {
            evaluation.trace.steps.append(
                RuleStep(ruleID: id, kind: kind.name, matched: holds, tests: condition.tests))
        }
        guard holds else { return nil }
        return action.rendered(with: condition.captures)
    }
}

extension Rule.Kind {
    /// As the trace and `rules list` name it: `deciding`, `annotating`, `fallback`.
    public var name: String {
        switch self {
        case .deciding: "deciding"
        case .annotating: "annotating"
        case .fallback: "fallback"
        }
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
    /// Fields set by the matching rules; the first rule (in order) to set a field wins.
    public var fields: [String: String] = [:]
    /// Matches PCRE2 gave up on (each counted as "no match").
    public var stoppedMatches: [RuleEvaluation.StoppedMatch] = []
    /// The annotating rules considered, as ``annotations(for:trace:)`` was asked to record.
    public var trace = RuleTrace()

    public init() {}

    mutating func add(priority: Priority?, tags: [String], fields: [String: String]) {
        self.priority = RuleAnnotations.highest(self.priority, priority)
        self.tags = (self.tags + tags).removingDuplicates()
        for (name, value) in fields where self.fields[name] == nil { self.fields[name] = value }
    }

    /// `decision` with these annotations applied: tags merged, priority the highest, fields
    /// merged (an annotation's value wins over the deciding rule's, as it ran first).
    public func applied(to decision: Decision) -> Decision {
        var decision = decision
        decision.priority = Self.highest(priority, decision.priority)
        decision.tags = (tags + decision.tags).removingDuplicates()
        decision.fields.merge(fields) { _, annotation in annotation }
        return decision
    }

    public static func highest(_ first: Priority?, _ second: Priority?) -> Priority? {
        switch (first, second) {
        case (let first?, let second?): max(first, second)
        default: first ?? second
        }
    }
}
