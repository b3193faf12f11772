public import SwitchyardCore

/// The result of running a rule set's deciding or fallback rules on one ticket.
public struct RuleEvaluation: Sendable, Hashable {
    /// The first rule that matched, if any.
    public var match: RuleMatch?
    /// Matches PCRE2 gave up on (each counted as "no match") on the way to the result.
    /// Count them: a rule that keeps hitting limits needs a cheaper pattern.
    public var stoppedMatches: [StoppedMatch]
    /// The rules considered, as much as the evaluation was asked to record.
    public var trace: RuleTrace

    public init(match: RuleMatch?, stoppedMatches: [StoppedMatch] = [], trace: RuleTrace = RuleTrace()) {
        self.match = match
        self.stoppedMatches = stoppedMatches
        self.trace = trace
    }

    /// One match that hit a ``MatchLimits`` bound or failed inside PCRE2. It names the
    /// rule, field and test but carries no ticket text, so it may be logged.
    public struct StoppedMatch: Sendable, Hashable {
        public var ruleID: String
        public var field: Field
        /// The test as written, for example `matches '(a+)+$'`.
        public var test: String
        public var reason: MatchOutcome.StopReason

        public init(ruleID: String, field: Field, test: String, reason: MatchOutcome.StopReason) {
            self.ruleID = ruleID
            self.field = field
            self.test = test
            self.reason = reason
        }
    }
}
