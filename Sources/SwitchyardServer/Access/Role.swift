/// What an API token may do. Each role includes the ones below it: an admin may do everything
/// a lead may, a lead everything an agent may.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Gives feedback on decisions.
    case agent
    /// Reads tickets, their decisions and quality; reloads rules.
    case lead
    /// Everything: write-back lists and retries, synchronous classification (which spends model money).
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
