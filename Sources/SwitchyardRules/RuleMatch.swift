public import SwitchyardCore

/// The rule that decided a ticket, and what it decided.
public struct RuleMatch: Sendable, Hashable {
    public var ruleID: String
    public var department: DepartmentID
    public var priority: Priority?
    public var tags: [String]

    public init(ruleID: String, department: DepartmentID, priority: Priority? = nil, tags: [String] = []) {
        self.ruleID = ruleID
        self.department = department
        self.priority = priority
        self.tags = tags
    }
}
