import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardWebhooks
import Testing

/// The shipped adapter files, samples and a few ready-made values the specifications share.
enum Fixtures {
    /// The package root: two levels above this file's folder (`Tests/SwitchyardWebhooksTests/`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The adapters in `Webhooks/`, loaded the way the server loads them.
    static func registry() throws -> AdapterRegistry {
        try AdapterRegistry.load(directory: packageRoot.appendingPathComponent("Webhooks"))
    }

    static func adapter(_ name: String) throws -> Adapter {
        try #require(try registry()[name])
    }

    /// A file under `Samples/webhooks/`, as raw bytes.
    static func sample(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent("Samples/webhooks/\(path)")))
    }

    static func headers(_ fields: [String: String]) -> HTTPFields {
        var headers = HTTPFields()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let name = HTTPField.Name(name) else { preconditionFailure("not a header name: \(name)") }
            headers.append(HTTPField(name: name, value: value))
        }
        return headers
    }

    static func decision(
        department: DepartmentID = "cards",
        priority: Priority? = .high,
        tags: [String] = ["Card Delivery"],
        decidedBy: String? = "openai/gpt-4o-mini"
    ) -> Decision {
        Decision(
            department: department,
            priority: priority,
            tags: tags,
            confidence: 0.92,
            provenance: Provenance(stage: .model, decidedBy: decidedBy, rulesetVersion: "rules-3f2a"),
            decidedAt: Date(timeIntervalSince1970: 1_741_944_103)
        )
    }

    /// Parses a write-back body back into JSON, for comparing structure.
    static func json(_ body: Data) throws -> JSONValue {
        try JSONValue(parsing: Array(body))
    }
}

/// The shapes most specifications need: a delivery of a body and headers, verified against one
/// secret (or none) at a fixed time.
extension Adapter {
    /// When the Zendesk vectors were signed (their `X-Zendesk-Webhook-Signature-Timestamp`).
    static let vectorTime = Date(timeIntervalSince1970: 1_741_944_103)  // 2025-03-14T09:21:43Z

    func verify(body: [UInt8], headers: HTTPFields, secret: String?, now: Date = vectorTime) throws(WebhookError) {
        try verify(WebhookDelivery(headers: headers, body: body), secrets: secret.map { [$0] } ?? [], now: now)
    }

    func decode(body: [UInt8], headers: HTTPFields, verified: Bool = false) throws(WebhookError) -> InboundTicket {
        try decode(WebhookDelivery(headers: headers, body: body), verified: verified)
    }
}

extension Adapter {
    /// The first write-back request, for adapters that send one.
    func writeBack(for decision: Decision, ticket: Ticket, settings: AdapterSettings) throws(WebhookError) -> WriteBackRequest? {
        try writeBacks(for: decision, ticket: ticket, settings: settings).first
    }
}

extension Fixtures {
    /// An update event's platform id and type, for comparing event lists.
    struct UpdateSummary: Hashable {
        var externalID: String
        var type: String
    }
}

extension InboundEvent {
    /// The update's id and type; nil for another kind of event.
    var updateSummary: Fixtures.UpdateSummary? {
        guard case .update(let update) = self else { return nil }
        return Fixtures.UpdateSummary(externalID: update.externalID, type: update.type)
    }
}
