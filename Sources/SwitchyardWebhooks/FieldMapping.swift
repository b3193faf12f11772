/// Where each `Ticket` field is in a platform's payload.
///
/// Each field lists one or more JSON paths; the first that is present and not `null` is used,
/// so one adapter can read two payload shapes (Zendesk's event subscription and trigger bodies).
public struct FieldMapping: Sendable, Hashable {
    /// The platform's ticket id: a non-empty string or an integer. Required.
    public let externalID: [JSONPath]
    public let subject: [JSONPath]
    public let body: [JSONPath]
    /// A list of strings, or one string of tags separated by spaces (as Zendesk's
    /// `{{ticket.tags}}` placeholder renders them).
    public let tags: [JSONPath]
    public let requesterName: [JSONPath]
    public let requesterEmail: [JSONPath]
    public let channel: [JSONPath]
    public let language: [JSONPath]
    /// The platform's own priority and status: a string or a number (Freshdesk's 1–4).
    public let priority: [JSONPath]
    public let status: [JSONPath]
    /// An object whose members are strings, numbers or booleans, flattened into
    /// `Ticket.customFields` (blank and `null` members left out).
    public let customFields: [JSONPath]
    /// Single values copied into `Ticket.customFields` under the given names (blank values left
    /// out); they win over a member of `customFields` with the same name.
    public let fields: [String: [JSONPath]]
    /// Whether the body is cleaned (``TicketTextCleaner``) before anyone reads it, the
    /// original kept beside it; `clean_body: false` in the file turns it off.
    public let cleansBody: Bool

    init(
        externalID: [JSONPath],
        subject: [JSONPath] = [],
        body: [JSONPath] = [],
        tags: [JSONPath] = [],
        requesterName: [JSONPath] = [],
        requesterEmail: [JSONPath] = [],
        channel: [JSONPath] = [],
        language: [JSONPath] = [],
        priority: [JSONPath] = [],
        status: [JSONPath] = [],
        customFields: [JSONPath] = [],
        fields: [String: [JSONPath]] = [:],
        cleansBody: Bool = true
    ) {
        self.cleansBody = cleansBody
        self.externalID = externalID
        self.subject = subject
        self.body = body
        self.tags = tags
        self.requesterName = requesterName
        self.requesterEmail = requesterEmail
        self.channel = channel
        self.language = language
        self.priority = priority
        self.status = status
        self.customFields = customFields
        self.fields = fields
    }
}
