public import SwitchyardCore

/// What a rule decides when it matches, from its `then:` mapping.
public struct RuleAction: Sendable, Hashable {
    /// The department the ticket goes to; always one of the configured departments. nil
    /// for an annotating rule, which never picks one.
    public var department: DepartmentID?
    /// The priority to set, when the rule gives one.
    public var priority: Priority?
    /// Tags to add, in the order written; each may use the capture groups of the rule's
    /// patterns (`order-${1}`, `${order}`).
    public var tags: [InterpolatedText]
    /// Values to set on the decision for the platform (`fields: {order_id: "${order}"}`), by
    /// name, with the same captures as tags.
    public var fields: [String: InterpolatedText]

    public init(
        department: DepartmentID?, priority: Priority? = nil, tags: [InterpolatedText] = [],
        fields: [String: InterpolatedText] = [:]
    ) {
        self.department = department
        self.priority = priority
        self.tags = tags
        self.fields = fields
    }

    /// An action with literal tags (no captures).
    public init(department: DepartmentID?, priority: Priority? = nil, tags: [String]) {
        self.init(department: department, priority: priority, tags: tags.map(InterpolatedText.init(literal:)))
    }

    /// Whether a tag or field refers to a capture group, so matching must record them.
    var usesCaptures: Bool {
        tags.contains { !$0.isLiteral } || fields.values.contains { !$0.isLiteral }
    }

    /// The tags and fields with each `${…}` replaced by its group's text. A group that took
    /// no part gives its fallback (`${order:-none}`) or nothing; a tag that comes out empty is
    /// left out, and so is a field.
    func rendered(with captures: Captures) -> (tags: [String], fields: [String: String]) {
        func render(_ text: InterpolatedText) -> String {
            text.rendered { captures.value(of: $0.name) } missing: { _ in "" }
        }
        let tags = tags.map(render).filter { !$0.isEmpty }
        var fields: [String: String] = [:]
        for (name, text) in self.fields {
            let value = render(text)
            if !value.isEmpty { fields[name] = value }
        }
        return (tags, fields)
    }
}
