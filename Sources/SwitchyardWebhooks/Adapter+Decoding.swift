import Crypto
import Foundation
import HTTPTypes
import SwitchyardCore

/// One event of a delivery, as the adapter reads it.
public enum InboundEvent: Sendable, Hashable {
    /// A new ticket, to store and decide.
    case ticket(InboundTicket)
    /// An update of a ticket the platform sent before: decided again only when its text
    /// changed (or the event type asks for it), so a platform's echo of our own write-back,
    /// which changes no text, never loops.
    case update(InboundUpdate)
    /// An event of a type the adapter does not take: where its type is and what it says
    /// (answered 2xx, so the platform does not retry it).
    case ignored(path: String, value: String)
}

extension Adapter {
    /// Maps a delivery to its events (one, or several when the adapter reads a list): each new
    /// ticket (whose `source` is the adapter's name) with its idempotency key, each update, or
    /// the reason an event is ignored. Verify the signature first.
    ///
    /// `verified` says whether the delivery's signature was checked: a key from a header the
    /// signature does not cover is then passed over (the next source is used), so that one
    /// captured body sent again with fresh keys is still recognised as the same delivery.
    ///
    /// - Throws: ``WebhookError/malformedJSON(_:)`` saying where the body is not JSON;
    ///   ``WebhookError/missingField(path:)`` / ``WebhookError/wrongType(path:expected:found:)``
    ///   with the JSON path at fault (in a list of events, the first event at fault refuses the
    ///   whole delivery, so the platform sends it again whole); ``WebhookError/missingIdempotencyKey(tried:)``.
    public func events(in delivery: WebhookDelivery, verified: Bool) throws(WebhookError) -> [InboundEvent] {
        let payload = try JSONValue(parsing: delivery.body)
        let events = try definition.events?.events(in: payload) ?? [payload]
        let several = definition.events?.each != nil
        var result: [InboundEvent] = []
        for (index, event) in events.enumerated() {
            do {
                switch try definition.events?.kind(of: event, headers: delivery.headers) ?? .new {
                case .ignored(let path, let value):
                    result.append(.ignored(path: path, value: value))
                case .update(let type, let retriage, let orNew):
                    let externalID = try definition.mapping.externalID(from: event)
                    // An update's other fields are read leniently: one the mapping cannot read
                    // carries no text, rather than refusing a delivery the platform would resend.
                    let ticket = (try? definition.mapping.ticket(from: event, source: name)) ?? Ticket(externalID: externalID, source: name)
                    let key =
                        orNew
                        ? try idempotencyKey(
                            delivery: delivery, verified: verified, event: event, ticket: ticket, index: several ? index : nil) : nil
                    result.append(.update(InboundUpdate(ticket: ticket, type: type, retriage: retriage, idempotencyKey: key)))
                case .new:
                    let ticket = try definition.mapping.ticket(from: event, source: name)
                    let key = try idempotencyKey(
                        delivery: delivery, verified: verified, event: event, ticket: ticket, index: several ? index : nil)
                    result.append(.ticket(InboundTicket(ticket: ticket, idempotencyKey: key)))
                }
            } catch .missingField(let path) where several {
                throw .missingField(path: Self.inEvent(index, path))
            } catch .wrongType(let path, let expected, let found) where several {
                throw .wrongType(path: Self.inEvent(index, path), expected: expected, found: found)
            }
        }
        return result
    }

    /// `$[2].objectId`: a path inside the `index`-th event, for errors in a list of events.
    private static func inEvent(_ index: Int, _ path: String) -> String {
        "$[\(index)]" + path.dropFirst()
    }

    /// The one new ticket a delivery carries.
    ///
    /// - Throws: ``WebhookError/unsupportedEvent(path:value:)`` for an event of another type
    ///   or an update; otherwise as ``events(in:verified:)``.
    public func decode(_ delivery: WebhookDelivery, verified: Bool) throws(WebhookError) -> InboundTicket {
        let events = try events(in: delivery, verified: verified)
        guard events.count == 1 else {
            throw .wrongType(path: "$", expected: "one event", found: "\(events.count) events")
        }
        switch events[0] {
        case .ticket(let inbound): return inbound
        case .update(let update):
            if let key = update.idempotencyKey { return InboundTicket(ticket: update.ticket, idempotencyKey: key) }
            throw .unsupportedEvent(path: definition.events?.type?.description ?? "$", value: update.type)
        case .ignored(let path, let value): throw .unsupportedEvent(path: path, value: value)
        }
    }

    /// A body given without a request (a file, the classify API): no headers, nothing verified.
    public func decode(body: [UInt8]) throws(WebhookError) -> InboundTicket {
        try decode(WebhookDelivery(headers: [:], body: body), verified: false)
    }

    /// `index` is the event's place in a delivery of several: a header names the delivery, so
    /// each event's key adds its place.
    private func idempotencyKey(
        delivery: WebhookDelivery, verified: Bool, event payload: JSONValue, ticket: Ticket, index: Int?
    ) throws(WebhookError) -> String {
        let body = delivery.body
        for source in definition.idempotency {
            switch source {
            case .header(let name):
                if trusts(header: name, verified: verified), let value = delivery.headers[name]?.trimmingWhitespace(),
                    !value.isEmpty
                {
                    return index.map { "\(value)#\($0)" } ?? value
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
