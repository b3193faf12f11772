import Foundation
import SwitchyardCore

extension FieldMapping {
    /// The ticket this payload describes.
    ///
    /// - Throws: ``WebhookError/missingField(path:)`` when no external id is present,
    ///   ``WebhookError/wrongType(path:expected:found:)`` when a mapped field has the wrong type.
    func ticket(from payload: JSONValue, source: String) throws(WebhookError) -> Ticket {
        var ticket = Ticket(externalID: try externalID(from: payload), source: source)
        try fill(&ticket, from: payload)
        return ticket
    }

    /// Sets each field of `ticket` that this mapping finds in `payload`; fields it does not
    /// find keep their value (a fetched answer completes what the webhook said).
    ///
    /// - Throws: ``WebhookError/wrongType(path:expected:found:)`` when a mapped field has the
    ///   wrong type.
    func fill(_ ticket: inout Ticket, from payload: JSONValue) throws(WebhookError) {
        if let (path, value) = try Self.first(subject, in: payload) {
            ticket.subject = try value.text(at: path)
        }
        if let (path, value) = try Self.first(body, in: payload) {
            let sent = try value.text(at: path)
            let cleaned = cleansBody ? TicketTextCleaner.clean(sent) : sent
            ticket.body = cleaned
            ticket.originalBody = cleaned != sent ? sent : nil
        }
        if let (path, value) = try Self.first(tags, in: payload) {
            ticket.tags = try value.tags(at: path)
        }
        let requesterName = try optionalText(requesterName, in: payload)
        let requesterEmail = try optionalText(requesterEmail, in: payload)
        if requesterName != nil || requesterEmail != nil {
            ticket.requester = Requester(
                name: requesterName ?? ticket.requester?.name, email: requesterEmail ?? ticket.requester?.email)
        }
        if let channel = try optionalText(channel, in: payload) { ticket.channel = channel }
        if let language = try optionalText(language, in: payload) { ticket.language = language }
        if let priority = try optionalScalar(priority, in: payload) { ticket.priority = priority }
        if let status = try optionalScalar(status, in: payload) { ticket.status = status }
        if let (path, value) = try Self.first(customFields, in: payload) {
            ticket.customFields.merge(try value.flattenedFields(at: path)) { $1 }
        }
        for (name, paths) in fields {
            if let (path, value) = try Self.first(paths, in: payload), let text = try value.scalarText(at: path),
                !text.isBlank
            {
                ticket.customFields[name] = text
            }
        }
    }

    /// The platform's ticket id alone (all an update needs).
    func externalID(from payload: JSONValue) throws(WebhookError) -> String {
        guard let (path, value) = try Self.first(externalID, in: payload) else {
            throw .missingField(path: externalID.map(\.description).joined(separator: " or "))
        }
        return try value.identifier(at: path)
    }

    /// The first of `paths` whose value is present and not `null`, with the path it is at.
    /// A path that runs into a value of the wrong kind is an error, not an absent field.
    /// With several paths (several payload shapes), one that meets a value of another kind is
    /// passed over like an absent one; the error stands only when no path has a value.
    static func first(_ paths: [JSONPath], in payload: JSONValue) throws(WebhookError) -> (JSONPath, JSONValue)? {
        var mismatch: WebhookError?
        for path in paths {
            do {
                if let value = try payload.mappedValue(at: path), value != .null {
                    return (path, value)
                }
            } catch {
                mismatch = mismatch ?? error
            }
        }
        if let mismatch { throw mismatch }
        return nil
    }

    /// A string field that may be absent; blank strings (what a platform's placeholder renders
    /// for a missing value) count as absent.
    /// A string, number or boolean as text (a platform's priority may be `3` or `"high"`).
    private func optionalScalar(_ paths: [JSONPath], in payload: JSONValue) throws(WebhookError) -> String? {
        guard let (path, value) = try Self.first(paths, in: payload), let text = try value.scalarText(at: path) else { return nil }
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    private func optionalText(_ paths: [JSONPath], in payload: JSONValue) throws(WebhookError) -> String? {
        guard let (path, value) = try Self.first(paths, in: payload) else { return nil }
        let text = try value.text(at: path).trimmingWhitespace()
        return text.isEmpty ? nil : text
    }
}
