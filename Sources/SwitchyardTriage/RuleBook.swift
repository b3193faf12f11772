import Synchronization
public import SwitchyardRules

/// The rule set in force. Readers take a snapshot per ticket, so a reload (later: on file
/// change) never changes the rules halfway through a decision.
public final class RuleBook: Sendable {
    private let state: Mutex<RuleSet>

    public init(_ rules: RuleSet) {
        self.state = Mutex(rules)
    }

    public var current: RuleSet {
        state.withLock { $0 }
    }

    /// Puts a new, already validated rule set in force.
    public func replace(with rules: RuleSet) {
        state.withLock { $0 = rules }
    }
}
