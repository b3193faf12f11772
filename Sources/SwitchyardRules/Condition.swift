import SwitchyardCore

/// When a rule applies: a test on one field, or `all` / `any` / `none` of other conditions.
///
/// Rule files write a condition as a mapping: `{field: subject, matches: '…'}`,
/// `{all: [...]}`, `{any: [...]}` or `{none: [...]}`, nested freely.
public indirect enum Condition: Sendable {
    /// Holds when every condition in the list holds (the list is never empty).
    case all([Condition])
    /// Holds when at least one condition in the list holds (the list is never empty).
    case any([Condition])
    /// Holds when no condition in the list holds (the list is never empty).
    case none([Condition])
    /// Holds when the test holds for the field's value, or for any of its values
    /// (``Field/tags``). A field the ticket does not have (or has empty) satisfies only
    /// `exists: false`.
    case field(Field, FieldTest)
}

extension Condition {
    /// Whether the condition holds for `ticket`. Matches that PCRE2 gave up on count as
    /// "no match" and are appended to `stopped`, attributed to `ruleID`.
    func holds(for ticket: Ticket, ruleID: String, stopped: inout [RuleEvaluation.StoppedMatch]) -> Bool {
        switch self {
        case .all(let conditions):
            conditions.allSatisfy { $0.holds(for: ticket, ruleID: ruleID, stopped: &stopped) }
        case .any(let conditions):
            conditions.contains { $0.holds(for: ticket, ruleID: ruleID, stopped: &stopped) }
        case .none(let conditions):
            !conditions.contains { $0.holds(for: ticket, ruleID: ruleID, stopped: &stopped) }
        case .field(let field, .exists(let expected)):
            field.values(in: ticket).contains { !$0.isEmpty } == expected
        case .field(let field, let test):
            field.values(in: ticket).contains { value in
                switch test.evaluate(value) {
                case .matched:
                    return true
                case .notMatched:
                    return false
                case .stopped(let reason):
                    stopped.append(.init(ruleID: ruleID, field: field, test: test.description, reason: reason))
                    return false
                }
            }
        }
    }
}
