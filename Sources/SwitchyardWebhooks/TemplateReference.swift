/// A value a write-back template can refer to: `${target}`, `${decision.priority}`,
/// `${ticket.external_id}`, `${settings.base_url}`, …
public enum TemplateReference: Sendable, Hashable, CustomStringConvertible {
    /// The platform target configured for the decision's department (a Zendesk group id).
    case target
    /// The ticket's tags followed by the decision's tags, without duplicates: for platforms
    /// whose update replaces the whole tag list.
    case mergedTags
    case decision(DecisionField)
    /// One value a rule set on the decision (`decision.fields.order_id`); none when no rule set it.
    case decisionField(String)
    case ticket(TicketField)
    /// A value from the adapter's settings (`settings.base_url`).
    case setting(String)
    /// The decision's priority on the platform's own scale (`write_back.priorities`: Freshdesk
    /// 1–4, HubSpot `LOW`…`URGENT`); absent when the decision has none.
    case platformPriority
    /// One member of an object-valued platform priority (`platform.priority.impact` for
    /// ServiceNow's `{impact: "2", urgency: "1"}`); absent when the decision has no priority.
    case platformPriorityMember(String)

    public enum DecisionField: String, Sendable, Hashable, CaseIterable {
        case department, priority, tags
        /// Every value rules set, as a JSON object of strings.
        case fields
        case confidence, stage
        case decidedBy = "decided_by"
        case decidedAt = "decided_at"
        /// The decision in words, for an internal note (``Decision/explanation``).
        case explanation
    }

    public enum TicketField: String, Sendable, Hashable, CaseIterable {
        case externalID = "external_id"
        case source, tags, channel, language
    }

    /// Reads a reference name as written between `${` and `}`.
    public init?(name: String) {
        switch name {
        case "target": self = .target
        case "merged_tags": self = .mergedTags
        case "platform.priority": self = .platformPriority
        default:
            if name.hasPrefix("platform.priority."), Self.isSettingName(name.dropFirst(18)) {
                self = .platformPriorityMember(String(name.dropFirst(18)))
            } else if name.hasPrefix("decision.fields."), Self.isSettingName(name.dropFirst(16)) {
                self = .decisionField(String(name.dropFirst(16)))
            } else if name.hasPrefix("decision."), let field = DecisionField(rawValue: String(name.dropFirst(9))) {
                self = .decision(field)
            } else if name.hasPrefix("ticket."), let field = TicketField(rawValue: String(name.dropFirst(7))) {
                self = .ticket(field)
            } else if name.hasPrefix("settings."), Self.isSettingName(name.dropFirst(9)) {
                self = .setting(String(name.dropFirst(9)))
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .target: "target"
        case .mergedTags: "merged_tags"
        case .decision(let field): "decision." + field.rawValue
        case .decisionField(let name): "decision.fields." + name
        case .ticket(let field): "ticket." + field.rawValue
        case .setting(let name): "settings." + name
        case .platformPriority: "platform.priority"
        case .platformPriorityMember(let name): "platform.priority." + name
        }
    }

    /// Every name a template may use, for error messages.
    static var vocabulary: String {
        (["target", "merged_tags"]
            + DecisionField.allCases.flatMap { $0 == .fields ? ["decision.fields", "decision.fields.NAME"] : ["decision." + $0.rawValue] }
            + TicketField.allCases.map { "ticket." + $0.rawValue } + ["settings.NAME", "platform.priority", "platform.priority.NAME"])
            .map { "${\($0)}" }.joined(separator: ", ")
    }

    /// Whether the reference reads `write_back.priorities`.
    var readsPlatformPriority: Bool {
        switch self {
        case .platformPriority, .platformPriorityMember: true
        default: false
        }
    }

    /// Whether the reference has one value that can be written into a URL. Optional values
    /// (priority, channel) and lists are not: a URL must not change shape with the decision.
    var isAllowedInURL: Bool {
        switch self {
        case .target, .setting, .decision(.department), .decision(.stage), .ticket(.externalID), .ticket(.source):
            true
        default:
            false
        }
    }

    private static func isSettingName(_ name: Substring) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
                default: false
                }
            }
    }
}
