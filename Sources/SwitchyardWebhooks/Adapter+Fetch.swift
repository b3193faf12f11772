import Foundation
public import SwitchyardCore

extension Adapter {
    /// The request that reads `ticket`'s content from the platform (the adapter file's
    /// `fetch`), or nil when the adapter has none: its webhooks are the whole ticket.
    ///
    /// - Throws: ``WebhookError/missingSetting(_:)`` when the URL needs a setting that is not
    ///   configured; ``WebhookError/invalidWriteBackURL(template:)`` when the URL built from the
    ///   settings is not an absolute http(s) URL.
    public func fetchRequest(for ticket: Ticket, settings: AdapterSettings) throws(WebhookError) -> WriteBackRequest? {
        guard let fetch = definition.fetch else { return nil }
        let url = try OutboundURL.render(fetch.url) { reference throws(WebhookError) in
            try OutboundURL.fetchText(of: reference, ticket: ticket, settings: settings)
        }
        return WriteBackRequest(adapter: name, method: "GET", url: url, headers: fetch.headers, body: Data())
    }

    /// `ticket` completed with what the platform's answer to ``fetchRequest(for:settings:)``
    /// says: each field the fetch mapping finds replaces the webhook's, and the body is cleaned
    /// as a webhook's is.
    ///
    /// - Throws: ``WebhookError/malformedJSON(_:)`` when the answer is not JSON,
    ///   ``WebhookError/wrongType(path:expected:found:)`` when a mapped field has the wrong type.
    public func completing(_ ticket: Ticket, withFetched body: [UInt8]) throws(WebhookError) -> Ticket {
        guard let fetch = definition.fetch else { return ticket }
        let answer = try JSONValue(parsing: body)
        var completed = ticket
        try fetch.mapping.fill(&completed, from: answer)
        return completed
    }
}
