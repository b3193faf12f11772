public import SwitchyardCore

/// One decision as the store keeps it: part of the ticket's history, with its own id so that
/// feedback can name the decision it judged.
public struct RecordedDecision: Sendable, Hashable, Identifiable {
    public var id: DecisionID
    public var decision: Decision

    public init(id: DecisionID, decision: Decision) {
        self.id = id
        self.decision = decision
    }
}
