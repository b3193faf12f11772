public import SwitchyardCore

/// A part of a ticket that a condition looks at, named in rule files as `field:`.
public enum Field: Sendable, Hashable, CustomStringConvertible {
    case subject
    case body
    /// Subject and body joined by a newline (``Ticket/text``).
    case text
    case requesterEmail
    case requesterName
    /// The part of the requester's e-mail address after the last `@`, lowercased.
    case requesterDomain
    /// The adapter the ticket came through (`zendesk`, `generic`, …).
    case source
    case channel
    case language
    /// The platform's own priority (`high`, `P1`), where the adapter maps it.
    case priority
    /// The platform's own status (`new`, `open`), where the adapter maps it.
    case status
    /// Each of the ticket's tags; a condition holds when it holds for any one tag.
    case tags
    /// A platform-specific field, `custom.<name>` in rule files.
    case custom(String)

    /// The names accepted in rule files, for error messages.
    public static let documentedNames = [
        "subject", "body", "text", "requester.email", "requester.name", "requester.domain", "source", "channel",
        "language", "priority", "status", "tags", "custom.<name>",
    ]

    private static let customPrefix = "custom."

    /// Reads a field name as written in a rule file; `nil` for an unknown name.
    public init?(name: String) {
        switch name {
        case "subject": self = .subject
        case "body": self = .body
        case "text": self = .text
        case "requester.email": self = .requesterEmail
        case "requester.name": self = .requesterName
        case "requester.domain": self = .requesterDomain
        case "source": self = .source
        case "channel": self = .channel
        case "language": self = .language
        case "priority": self = .priority
        case "status": self = .status
        case "tags": self = .tags
        default:
            guard name.hasPrefix(Self.customPrefix), name.count > Self.customPrefix.count else { return nil }
            self = .custom(String(name.dropFirst(Self.customPrefix.count)))
        }
    }

    /// The name as written in rule files, for example `requester.email` or `custom.plan`.
    public var name: String {
        switch self {
        case .subject: "subject"
        case .body: "body"
        case .text: "text"
        case .requesterEmail: "requester.email"
        case .requesterName: "requester.name"
        case .requesterDomain: "requester.domain"
        case .source: "source"
        case .channel: "channel"
        case .language: "language"
        case .priority: "priority"
        case .status: "status"
        case .tags: "tags"
        case .custom(let name): Self.customPrefix + name
        }
    }

    public var description: String { name }

    /// The values of this field in `ticket`: none when an optional field is absent (so
    /// that no condition on it can hold), one per tag for ``tags``, otherwise one.
    public func values(in ticket: Ticket) -> [String] {
        switch self {
        case .subject: [ticket.subject]
        case .body: [ticket.body]
        case .text: [ticket.text]
        case .requesterEmail: ticket.requester?.email.map { [$0] } ?? []
        case .requesterName: ticket.requester?.name.map { [$0] } ?? []
        case .requesterDomain:
            ticket.requester?.email.flatMap { email in
                email.lastIndex(of: "@").map { [email[email.index(after: $0)...].lowercased()] }
            } ?? []
        case .source: [ticket.source]
        case .channel: ticket.channel.map { [$0] } ?? []
        case .language: ticket.language.map { [$0] } ?? []
        case .priority: ticket.priority.map { [$0] } ?? []
        case .status: ticket.status.map { [$0] } ?? []
        case .tags: ticket.tags
        case .custom(let name): ticket.customFields[name].map { [$0] } ?? []
        }
    }
}
