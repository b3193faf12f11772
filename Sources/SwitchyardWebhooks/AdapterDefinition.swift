/// One adapter file (`Webhooks/<name>.yaml`), read and checked.
///
/// Everything a platform needs is data: where the ticket fields are in its payload, how it
/// signs deliveries, which value recognises a retried delivery, and the request that writes a
/// decision back. The file format is documented at the top of each shipped file.
public struct AdapterDefinition: Sendable, Hashable {
    /// The adapter's name, used in webhook URLs and as `Ticket.source` (`zendesk`).
    public let name: String
    public let description: String
    public let signature: SignatureScheme
    /// Where the idempotency key comes from; the first source present wins.
    public let idempotency: [IdempotencySource]
    /// Which events are new tickets or updates, and where they are; `nil`: the body is one
    /// event, a new ticket.
    public let events: EventSelection?
    public let mapping: FieldMapping
    /// The request that reads the ticket's content from the platform's API before it is
    /// decided, for platforms whose webhooks carry no text (HubSpot); nil: the webhook is
    /// the whole ticket.
    public let fetch: FetchTemplate?
    /// The requests that tell the platform a decision, in order (Help Scout and Zammad need a
    /// second call for tags); empty when the platform is not told.
    public let writeBacks: [WriteBackTemplate]

    init(
        name: String, description: String, signature: SignatureScheme, idempotency: [IdempotencySource],
        events: EventSelection?, mapping: FieldMapping, fetch: FetchTemplate? = nil, writeBacks: [WriteBackTemplate]
    ) {
        self.name = name
        self.description = description
        self.signature = signature
        self.idempotency = idempotency
        self.events = events
        self.mapping = mapping
        self.fetch = fetch
        self.writeBacks = writeBacks
    }
}

/// A `GET` to the platform's API whose answer fills in the ticket (`fetch:` in the adapter
/// file): the fields its mapping finds replace what the webhook said.
public struct FetchTemplate: Sendable, Hashable {
    /// The request URL: `${settings.NAME}` as configured, `${ticket.external_id}` and
    /// `${ticket.source}` percent-encoded as a path segment.
    public let url: StringTemplate<TemplateReference>
    /// Fixed, non-secret headers; credentials are the adapter's `auth`, attached when sending.
    public let headers: [String: String]
    /// Where the ticket's fields are in the answer (no `external_id`: the ticket has it).
    public let mapping: FieldMapping

    /// The references a fetch URL may use: nothing is decided yet.
    static func isAllowed(_ reference: TemplateReference) -> Bool {
        switch reference {
        case .setting, .ticket(.externalID), .ticket(.source): true
        default: false
        }
    }
}
