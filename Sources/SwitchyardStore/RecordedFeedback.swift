public import SwitchyardCore

/// An agent's feedback as the store keeps it: the decision it judged.
public struct RecordedFeedback: Sendable, Hashable {
    /// The decision the agent saw when judging.
    public var decisionID: DecisionID
    public var feedback: Feedback

    public init(decisionID: DecisionID, feedback: Feedback) {
        self.decisionID = decisionID
        self.feedback = feedback
    }
}
