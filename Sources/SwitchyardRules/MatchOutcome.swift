/// What came of matching one ``Pattern`` against one text.
public enum MatchOutcome: Sendable, Hashable {
    case matched
    case notMatched
    /// PCRE2 gave up before it could decide. Rules treat this as "no match"; callers
    /// should count it, because it means a pattern is too expensive for some tickets.
    case stopped(StopReason)

    /// Why PCRE2 gave up on a match.
    public enum StopReason: Sendable, Hashable, CustomStringConvertible {
        /// ``MatchLimits/matchLimit`` was reached.
        case matchLimit
        /// ``MatchLimits/depthLimit`` was reached.
        case depthLimit
        /// PCRE2's heap limit for backtracking memory was reached.
        case heapLimit
        /// The JIT ran out of stack.
        case jitStackLimit
        /// Any other PCRE2 error, with its code and message.
        case error(code: Int32, message: String)

        public var description: String {
            switch self {
            case .matchLimit: "match limit reached"
            case .depthLimit: "depth limit reached"
            case .heapLimit: "heap limit reached"
            case .jitStackLimit: "JIT stack limit reached"
            case .error(let code, let message): "PCRE2 error \(code): \(message)"
            }
        }
    }

    /// `true` only for ``matched``.
    public var isMatch: Bool { self == .matched }
}
