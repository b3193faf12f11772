import Crypto
import Foundation
import HTTPTypes
import SwitchyardCore

extension Adapter {
    /// Maps a delivery to a ticket (whose `source` is the adapter's name) and its
    /// idempotency key. Verify the signature first.
    ///
    /// - Throws: ``WebhookError/malformedJSON(_:)`` saying where the body is not JSON;
    ///   ``WebhookError/unsupportedEvent(path:value:)`` for an event type that is not a ticket;
    ///   ``WebhookError/missingField(path:)`` / ``WebhookError/wrongType(path:expected:found:)``
    ///   with the JSON path at fault; ``WebhookError/missingIdempotencyKey(tried:)``.
    ///
    /// `verified` says whether the delivery's signature was checked: a key from a header the
    /// signature does not cover is then passed over (the next source is used), so that one
    /// captured body sent again with fresh keys is still recognised as the same delivery.
    public func decode(_ delivery: WebhookDelivery, verified: Bool) throws(WebhookError) -> InboundTicket {
        let body = delivery.body
        let payload = try JSONValue(parsing: body)
        try definition.accept?.check(payload)
        let ticket = try definition.mapping.ticket(from: payload, source: name)
        let key = try idempotencyKey(body: body, headers: delivery.headers, verified: verified, payload: payload, ticket: ticket)
        return InboundTicket(ticket: ticket, idempotencyKey: key)
    }

    /// A body given without a request (a file, the classify API): no headers, nothing verified.
    public func decode(body: [UInt8]) throws(WebhookError) -> InboundTicket {
        try decode(WebhookDelivery(headers: [:], body: body), verified: false)
    }

    private func idempotencyKey(
        body: [UInt8], headers: HTTPFields, verified: Bool, payload: JSONValue, ticket: Ticket
    ) throws(WebhookError) -> String {
        for source in definition.idempotency {
            switch source {
            case .header(let name):
                if trusts(header: name, verified: verified), let value = headers[name]?.trimmingWhitespace(), !value.isEmpty {
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
                    case .bodySHA256: Self.hexSHA256(body)
                    }
                }
            }
        }
        throw .missingIdempotencyKey(tried: definition.idempotency.map(\.description))
    }

    /// Lower-case hex SHA-256 of `bytes` (this runs for every webhook without a delivery id).
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).withUnsafeBytes { Hex.encode($0) }
    }
}
