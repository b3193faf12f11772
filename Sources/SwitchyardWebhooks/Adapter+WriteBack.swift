import Foundation
public import SwitchyardCore

extension Adapter {
    /// The requests that write `decision` back to the platform, in order, for the outbox to
    /// deliver (one outbox entry each).
    ///
    /// Empty when the adapter has no write-back; a request whose URL needs a setting
    /// (`base_url`, `callback_url`) that is not configured is left out: this deployment has no
    /// destination for it. `stage` and `decided_by` come from `decision.provenance`.
    ///
    /// - Throws: ``WebhookError/missingTarget(_:)`` when the body needs the department's target
    ///   and none is configured; ``WebhookError/missingSetting(_:)`` when it needs a setting that
    ///   is not configured; ``WebhookError/invalidWriteBackURL(template:)`` when the URL built
    ///   from the settings is not an absolute http(s) URL.
    public func writeBacks(
        for decision: Decision, ticket: Ticket, settings: AdapterSettings
    ) throws(WebhookError) -> [WriteBackRequest] {
        var requests: [WriteBackRequest] = []
        for template in definition.writeBacks {
            if let request = try writeBack(template, for: decision, ticket: ticket, settings: settings) {
                requests.append(request)
            }
        }
        return requests
    }

    private func writeBack(
        _ template: WriteBackTemplate, for decision: Decision, ticket: Ticket, settings: AdapterSettings
    ) throws(WebhookError) -> WriteBackRequest? {
        let values = WriteBackValues(
            decision: decision, ticket: ticket, settings: settings, normalizesTags: template.normalizesTags,
            priorities: template.priorities)
        for case .setting(let name) in template.url.placeholders where values.setting(name) == nil {
            return nil
        }
        if let condition = template.ifPresent, try values.value(of: condition, optional: true) == nil {
            return nil
        }

        let url = try OutboundURL.render(template.url) { reference throws(WebhookError) in try values.urlText(of: reference) }

        var headers = template.headers
        var body = Data()
        if let bodyTemplate = template.body {
            let json = try bodyTemplate.render(values)
            body = Data(json.serialized)
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                headers["Content-Type"] = "application/json"
            }
        }
        return WriteBackRequest(adapter: name, method: template.method, url: url, headers: headers, body: body)
    }
}

/// Building the URL of a request to the platform (a write-back or a fetch) from its template.
enum OutboundURL {
    /// `template` with each reference replaced by `text(reference)`, checked to be an absolute
    /// http(s) URL with a host.
    ///
    /// - Throws: what `text` throws; ``WebhookError/invalidWriteBackURL(template:)`` when the
    ///   result is not an absolute http(s) URL.
    static func render(
        _ template: StringTemplate<TemplateReference>, _ text: (TemplateReference) throws(WebhookError) -> String
    ) throws(WebhookError) -> String {
        let url = try template.render(text)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host?.isEmpty == false
        else {
            throw .invalidWriteBackURL(template: template.description)
        }
        return url
    }

    /// The text of a fetch URL's reference: a setting as configured, the ticket's id or
    /// source percent-encoded as one path segment.
    static func fetchText(
        of reference: TemplateReference, ticket: Ticket, settings: AdapterSettings
    ) throws(WebhookError) -> String {
        switch reference {
        case .setting(let name):
            guard let value = settings.value(name) else { throw .missingSetting(name) }
            return value
        case .ticket(.source):
            return PercentEncoding.escapingAllButUnreserved(ticket.source)
        case .ticket(.externalID):
            return PercentEncoding.escapingAllButUnreserved(ticket.externalID)
        default:
            // The adapter file's check lets no other reference into a fetch URL.
            throw .invalidWriteBackURL(template: "${\(reference)}")
        }
    }
}
