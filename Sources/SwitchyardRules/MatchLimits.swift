/// Bounds on the work one regular-expression match may do, so that a pathological pattern
/// such as `(a+)+$` on a long text gives up instead of stalling a triage worker.
///
/// A match that reaches a limit counts as "no match" and is reported as
/// ``MatchOutcome/stopped(_:)`` so that callers can count it.
public struct MatchLimits: Sendable, Hashable {
    /// How many times PCRE2 may call its internal match function (backtracking steps).
    /// PCRE2's own default is 10,000,000; ours is much lower because rules run on every ticket.
    public var matchLimit: UInt32
    /// How deep backtracking may nest (interpreter only; the JIT ignores it and is bounded
    /// by ``matchLimit`` and its stack).
    public var depthLimit: UInt32

    /// - Parameters:
    ///   - matchLimit: Backtracking steps allowed per match; 100,000 by default.
    ///   - depthLimit: Backtracking depth allowed per match; 10,000 by default.
    public init(matchLimit: UInt32 = 100_000, depthLimit: UInt32 = 10_000) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
    }
}
