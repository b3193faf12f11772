public import SwitchyardCore

/// A stored ticket's text, as `revise` compares it with an update: one rule for both engines.
public struct StoredText: Sendable, Hashable {
    public var id: TicketID
    public var subject: String
    public var body: String
    /// Retention removed the text.
    public var purged: Bool

    public init(id: TicketID, subject: String, body: String, purged: Bool) {
        self.id = id
        self.subject = subject
        self.body = body
        self.purged = purged
    }

    /// What an update does to the stored ticket.
    public enum Revision: Sendable, Hashable {
        /// Nothing: the same text, or an update that carries none.
        case none
        /// Takes the update's fields and is decided again.
        case text
        /// Decided again on the stored text (`retriage` without text).
        case requeueOnly
    }

    /// `update` (already storable) changes the text when it carries a subject or body and either
    /// differs from the stored one or the stored text was purged.
    public func revision(by update: Ticket, retriage: Bool) -> Revision {
        let carriesText = !update.subject.isEmpty || !update.body.isEmpty
        if carriesText && (purged || update.subject != subject || update.body != body) { return .text }
        if retriage { return carriesText ? .text : .requeueOnly }
        return .none
    }
}
