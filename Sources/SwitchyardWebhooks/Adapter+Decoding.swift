import Crypto
import Foundation
public import HTTPTypes
import SwitchyardCore

extension Adapter {
    /// Maps a delivery to a ticket (whose `source` is the adapter's name) and its
    /// idempotency key. Verify the signature first.
    ///
    /// - Throws: ``WebhookError/malformedJSON(_:)`` saying where the body is not JSON;
    ///   ``WebhookError/unsupportedEvent(path:value:)`` for an event type that is not a ticket;
    ///   ``WebhookError/missingField(path:)`` / ``WebhookError/wrongType(path:expected:found:)``
    ///   with the JSON path at fault; ``WebhookError/missingIdempotencyKey(tried:)``.
    public func decode(body: [UInt8], headers: HTTPFields) throws(WebhookError) -> InboundTicket {
        let payload = try JSONValue(parsing: body)
        try definition.accept?.check(payload)
        let ticket = try definition.mapping.ticket(from: payload, source: name)
        let key = try idempotencyKey(body: body, headers: headers, payload: payload, ticket: ticket)
        return InboundTicket(ticket: ticket, idempotencyKey: key)
    }

    private func idempotencyKey(
        body: [UInt8], headers: HTTPFields, payload: JSONValue, ticket: Ticket
    ) throws(WebhookError) -> String {
        for source in definition.idempotency {
            switch source {
            case .header(let name):
                if let value = headers[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                    return value
                }
            case .path(let path):
                if let value = payload.value(at: path), value != .null {
                    return try value.identifier(at: path)
                }
            case .template(let template):
                return try template.render { part throws(WebhookError) in
                    switch part {
                    case .externalID: ticket.externalID
                    case .bodySHA256:
                        SHA256.hash(data: body).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                    }
                }
            }
        }
        throw .missingIdempotencyKey(tried: definition.idempotency.map(\.description))
    }
}
