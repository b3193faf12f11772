/// How the rules went for one ticket: every rule considered in order, the tests each ran,
/// which held, and where in the ticket's text they matched. What `switchyard rules explain`
/// prints and `GET /v1/tickets/{id}` shows with each decision.
///
/// The trace holds no ticket text, only places in it (``TextSpan``), so it may be kept after
/// retention removed the text. A decision's stored trace lists the rules that matched or
/// came close (at least one test held, or a match stopped at a limit); `omitted` counts the
/// other rules considered: those that ran and had no test hold, and those the prefilter
/// skipped because the ticket lacks their literals. `rules explain` lists every rule.
public struct RuleTrace: Sendable, Hashable, Codable {
    /// Rules considered, in the order they ran: annotating rules, then deciding rules until
    /// one matched, then (when the model stage did not decide) fallback rules until one matched.
    public var steps: [RuleStep]
    /// Rules considered and left out of `steps`: no test held, or the prefilter skipped them.
    public var omitted: Int

    public init(steps: [RuleStep] = [], omitted: Int = 0) {
        self.steps = steps
        self.omitted = omitted
    }

    public var isEmpty: Bool { steps.isEmpty && omitted == 0 }

    /// Appends `other`'s steps after these.
    public mutating func append(_ other: RuleTrace) {
        steps += other.steps
        omitted += other.omitted
    }
}

/// One rule's evaluation on one ticket.
public struct RuleStep: Sendable, Hashable, Codable {
    public var ruleID: String
    /// `deciding`, `annotating` or `fallback`.
    public var kind: String
    /// Whether the rule's whole condition held.
    public var matched: Bool
    /// Every field test that ran, in order; tests a combinator did not need (`all` after a
    /// test failed, `any` after one held) did not run and are not listed.
    public var tests: [TestStep]

    public init(ruleID: String, kind: String, matched: Bool, tests: [TestStep]) {
        self.ruleID = ruleID
        self.kind = kind
        self.matched = matched
        self.tests = tests
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case kind, matched, tests
    }
}

/// One field test of a rule's condition, as it ran.
public struct TestStep: Sendable, Hashable, Codable {
    /// Where the test is in the rule's `when`, for example `when.all[1].any[0]`.
    public var path: String
    /// The field tested, for example `subject` or `custom.plan`.
    public var field: String
    /// The test as written, for example `matches '(?i)\brefund'`.
    public var test: String
    /// Whether the test held. Under `none`, a test that held makes the rule fail.
    public var held: Bool
    /// Where the test matched in the field's text (for `matches`, `contains`, `equals`,
    /// `starts_with`, `ends_with` when it held).
    public var spans: [TextSpan]
    /// Why PCRE2 gave up on the match (a limit, counted as "no match"); nil when it did not.
    public var stopped: String?

    public init(path: String, field: String, test: String, held: Bool, spans: [TextSpan] = [], stopped: String? = nil) {
        self.path = path
        self.field = field
        self.test = test
        self.held = held
        self.spans = spans
        self.stopped = stopped
    }
}

/// A stretch of a field's text, in Unicode code points from the start of the value
/// (0-based, `end` exclusive). For a field with several values (`tags`), `value` is the
/// index of the value it lies in.
public struct TextSpan: Sendable, Hashable, Codable {
    public var value: Int?
    public var start: Int
    public var end: Int

    public init(value: Int? = nil, start: Int, end: Int) {
        self.value = value
        self.start = start
        self.end = end
    }
}
