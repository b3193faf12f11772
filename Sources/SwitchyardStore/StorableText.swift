package import SwitchyardCore

// Both engines store exactly the same text. PostgreSQL's text and jsonb cannot hold U+0000, so
// every engine stores it as U+FFFD (the replacement character): a ticket reads back the same
// from either engine, and a NUL from a hostile or broken sender is visible, not fatal.

extension String {
    /// The text as the store keeps it: U+0000 replaced by U+FFFD.
    package var storable: String {
        guard utf8.contains(0) else { return self }
        return replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}

extension Optional<String> {
    package var storable: String? { map(\.storable) }
}

extension Array<String> {
    /// Copied only when an element holds U+0000: intake stores every ticket's tags.
    package var storable: [String] {
        contains { $0.utf8.contains(0) } ? map(\.storable) : self
    }
}

extension Dictionary<String, String> {
    /// Copied only when a key or value holds U+0000: intake stores every ticket's custom fields.
    package var storable: [String: String] {
        guard contains(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) }) else { return self }
        return Dictionary(map { ($0.key.storable, $0.value.storable) }, uniquingKeysWith: { first, _ in first })
    }
}

extension Ticket {
    /// The ticket as the store keeps it.
    package var storable: Ticket {
        var ticket = self
        ticket.externalID = externalID.storable
        ticket.source = source.storable
        ticket.subject = subject.storable
        ticket.body = body.storable
        ticket.originalBody = originalBody.storable
        ticket.requester = requester.map { Requester(name: $0.name.storable, email: $0.email.storable) }
        ticket.tags = tags.storable
        ticket.channel = channel.storable
        ticket.language = language.storable
        ticket.priority = priority.storable
        ticket.status = status.storable
        ticket.customFields = customFields.storable
        return ticket
    }
}

extension Decision {
    /// The decision as the store keeps it.
    package var storable: Decision {
        var decision = self
        decision.tags = tags.storable
        decision.fields = fields.storable
        decision.provenance.decidedBy = provenance.decidedBy.storable
        decision.provenance.fallbackReasons = provenance.fallbackReasons.storable
        decision.provenance.modelVersion = provenance.modelVersion.storable
        return decision
    }
}
