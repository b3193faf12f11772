public import SwitchyardCore

/// How a rule set's deciding rules do on labelled tickets: which rule decided each, how often
/// each rule was right (its precision on this file), and every ticket a rule got wrong.
public struct RuleScore: Sendable {
    public struct RuleTally: Sendable, Hashable {
        public var ruleID: String
        /// Tickets the rule decided.
        public var hits: Int = 0
        /// Of those, the ones whose label is the rule's department.
        public var correct: Int = 0

        /// `correct / hits`; nil for a rule that decided nothing.
        public var precision: Double? { hits == 0 ? nil : Double(correct) / Double(hits) }
    }

    public struct Mismatch: Sendable, Hashable {
        /// The ticket's position in the file (0-based).
        public var index: Int
        public var ruleID: String
        public var decided: DepartmentID
        public var expected: DepartmentID

        public init(index: Int, ruleID: String, decided: DepartmentID, expected: DepartmentID) {
            self.index = index
            self.ruleID = ruleID
            self.decided = decided
            self.expected = expected
        }
    }

    /// Tickets scored.
    public var tickets: Int
    /// Tickets a deciding rule decided (the rest go on to the model).
    public var decided: Int
    /// One per deciding rule, in the order they run.
    public var rules: [RuleTally]
    public var mismatches: [Mismatch]
    /// The rule that decided each ticket, by position; nil where none did.
    public var decidedBy: [String?]
}

extension RuleSet {
    /// Runs the deciding rules on each labelled ticket, as triage would before the model.
    public func score(_ labelled: [(ticket: Ticket, label: DepartmentID)]) -> RuleScore {
        var tallies = rules.filter { $0.kind == .deciding }.map { RuleScore.RuleTally(ruleID: $0.id) }
        let position = Dictionary(uniqueKeysWithValues: tallies.enumerated().map { ($1.ruleID, $0) })
        var mismatches: [RuleScore.Mismatch] = []
        var decidedBy: [String?] = []
        decidedBy.reserveCapacity(labelled.count)
        for (index, item) in labelled.enumerated() {
            guard let match = evaluate(item.ticket, kind: .deciding).match, let slot = position[match.ruleID] else {
                decidedBy.append(nil)
                continue
            }
            decidedBy.append(match.ruleID)
            tallies[slot].hits += 1
            if match.department == item.label {
                tallies[slot].correct += 1
            } else {
                mismatches.append(.init(index: index, ruleID: match.ruleID, decided: match.department, expected: item.label))
            }
        }
        return RuleScore(
            tickets: labelled.count, decided: decidedBy.count { $0 != nil }, rules: tallies, mismatches: mismatches,
            decidedBy: decidedBy)
    }
}
