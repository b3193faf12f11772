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
    /// The patterns of the condition's `matches` tests, in the order written; with
    /// `outsideNone`, not those under `none` (which must not match for the condition to hold).
    public func patterns(outsideNone: Bool = false) -> [Pattern] {
        switch self {
        case .all(let conditions), .any(let conditions):
            conditions.flatMap { $0.patterns(outsideNone: outsideNone) }
        case .none(let conditions):
            outsideNone ? [] : conditions.flatMap { $0.patterns(outsideNone: outsideNone) }
        case .field(_, .matches(let pattern)):
            [pattern]
        case .field:
            []
        }
    }
}
