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
    /// The requests that tell the platform a decision, in order (Help Scout and Zammad need a
    /// second call for tags); empty when the platform is not told.
    public let writeBacks: [WriteBackTemplate]
}
