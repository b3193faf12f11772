public import SwitchyardCore

/// What a rule decides when it matches, from its `then:` mapping.
public struct RuleAction: Sendable, Hashable {
    /// The department the ticket goes to; always one of the configured departments. nil
    /// for an annotating rule, which never picks one (and always for it).
    public var department: DepartmentID?
    /// The priority to set, when the rule gives one.
    public var priority: Priority?
    /// Tags to add, in the order written.
    public var tags: [String]

    public init(department: DepartmentID?, priority: Priority? = nil, tags: [String] = []) {
        self.department = department
        self.priority = priority
        self.tags = tags
    }
}
