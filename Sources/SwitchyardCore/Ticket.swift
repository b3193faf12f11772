/// A support request, normalised from whatever platform sent it.
///
/// Every adapter maps its payload onto this shape; rules, models and the store only
/// ever see a `Ticket`. Text fields are never `nil` (an absent subject is `""`) so that
/// rules and classifiers need no special cases.
public struct Ticket: Sendable, Hashable, Codable {
    /// The platform's own identifier for the ticket (Zendesk ticket id, generic `id`).
    public var externalID: String
    /// The adapter that received it, for example `generic` or `zendesk`.
    public var source: String
    public var subject: String
    /// The text rules and models read: HTML turned into text, quoted replies and signatures
    /// removed, whitespace normalised (the adapter's cleaning).
    public var body: String
    /// The body exactly as the platform sent it, when cleaning changed it; nil otherwise.
    public var originalBody: String?
    public var requester: Requester?
    public var tags: [String]
    /// Where the request came in: `email`, `web`, `chat`, `phone`, … as the platform says.
    public var channel: String?
    /// BCP 47 language tag when the platform knows it.
    public var language: String?
    /// The platform's own priority, as the platform names it (`high`, `P1`, `3`), when the
    /// adapter maps it. Not Switchyard's priority, which a decision sets.
    public var priority: String?
    /// The platform's own status (`new`, `open`, `pending`), when the adapter maps it.
    public var status: String?
    /// Platform-specific fields, flattened to strings.
    public var customFields: [String: String]

    public init(
        externalID: String,
        source: String,
        subject: String = "",
        body: String = "",
        requester: Requester? = nil,
        tags: [String] = [],
        channel: String? = nil,
        language: String? = nil,
        priority: String? = nil,
        status: String? = nil,
        customFields: [String: String] = [:],
        originalBody: String? = nil
    ) {
        self.originalBody = originalBody
        self.externalID = externalID
        self.source = source
        self.subject = subject
        self.body = body
        self.requester = requester
        self.tags = tags
        self.channel = channel
        self.language = language
        self.priority = priority
        self.status = status
        self.customFields = customFields
    }

    /// Subject and body joined, the text classifiers read.
    public var text: String { Self.text(subject: subject, body: body) }

    /// `subject` and `body` joined as classifiers read a ticket: on two lines, or the one that is not empty.
    public static func text(subject: String, body: String) -> String {
        subject.isEmpty ? body : (body.isEmpty ? subject : subject + "\n" + body)
    }

    enum CodingKeys: String, CodingKey {
        case externalID = "external_id"
        case source, subject, body, requester, tags, channel, language, priority, status
        case customFields = "custom_fields"
        case originalBody = "original_body"
    }
}

/// The person who raised the ticket.
public struct Requester: Sendable, Hashable, Codable {
    public var name: String?
    public var email: String?

    public init(name: String? = nil, email: String? = nil) {
        self.name = name
        self.email = email
    }
}
