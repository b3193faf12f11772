public import SwitchyardCore

/// The rule that decided a ticket, and what it decided.
public struct RuleMatch: Sendable, Hashable {
    public var ruleID: String
    public var department: DepartmentID
    public var priority: Priority?
    /// The rule's tags, captures filled in.
    public var tags: [String]
    /// The rule's fields, captures filled in.
    public var fields: [String: String]

    public init(
        ruleID: String, department: DepartmentID, priority: Priority? = nil, tags: [String] = [],
        fields: [String: String] = [:]
    ) {
        self.ruleID = ruleID
        self.department = department
        self.priority = priority
        self.tags = tags
        self.fields = fields
    }
}
