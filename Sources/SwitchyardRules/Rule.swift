public import SwitchyardYAML

/// One rule from a rule file: when its condition holds for a ticket, its action decides (or,
/// for an annotating rule, adds tags and priority and lets the next stages decide).
public struct Rule: Sendable {
    /// Unique across all rule files: `[a-z0-9][a-z0-9_.-]*`.
    public var id: String
    public var description: String?
    /// A fallback rule is consulted only when the model stage could not decide; a
    /// deciding rule (the default) is consulted before any model is asked.
    public var isFallback: Bool
    /// `false` for an annotating rule (`decide: false`): it adds its tags and priority to
    /// whatever decides and never picks the department.
    public var decides: Bool
    public var condition: Condition
    public var action: RuleAction
    /// Its place among the rules of its kind: a higher `precedence` runs first; equal ones
    /// keep file order, then order in the file. `priority: N` in the rule file; 0 by default.
    public var precedence: Int
    /// The rule's inline unit tests.
    public var examples: RuleExamples
    /// Where the rule starts in its file.
    public var location: SourceLocation

    public init(
        id: String,
        description: String? = nil,
        isFallback: Bool = false,
        decides: Bool = true,
        condition: Condition,
        action: RuleAction,
        precedence: Int = 0,
        examples: RuleExamples = RuleExamples(),
        location: SourceLocation
    ) {
        self.id = id
        self.description = description
        self.isFallback = isFallback
        self.decides = decides
        self.condition = condition
        self.action = action
        self.precedence = precedence
        self.examples = examples
        self.location = location
    }
}

extension Rule {
    /// When triage consults a rule.
    public enum Kind: Sendable, Hashable {
        /// Before the model: a match decides and no model is asked.
        case deciding
        /// After the model failed: `fallback: true` in the rule file.
        case fallback
        /// On every ticket, before anything decides: `decide: false` in the rule file. Every
        /// annotating rule that matches adds its tags and priority.
        case annotating
    }

    public var kind: Kind { isFallback ? .fallback : decides ? .deciding : .annotating }
}
