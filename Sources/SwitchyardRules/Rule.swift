public import SwitchyardYAML

/// One rule from a rule file: when its condition holds for a ticket, its action decides (or,
/// for an annotating rule, adds tags and priority and lets the next stages decide).
public struct Rule: Sendable {
    /// Unique across all rule files: `[a-z0-9][a-z0-9_.-]*`.
    public var id: String
    public var description: String?
    /// When triage consults the rule: deciding (the default), annotating (`decide: false`)
    /// or fallback (`fallback: true`).
    public var kind: Kind
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
        kind: Kind = .deciding,
        condition: Condition,
        action: RuleAction,
        precedence: Int = 0,
        examples: RuleExamples = RuleExamples(),
        location: SourceLocation
    ) {
        self.id = id
        self.description = description
        self.kind = kind
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

}
