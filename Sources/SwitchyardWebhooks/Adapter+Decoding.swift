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
                if let value = headers[name]?.trimmingWhitespace(), !value.isEmpty {
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
