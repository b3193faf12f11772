import Foundation
import SwitchyardCore
import SwitchyardWebhooks
import Testing

@Suite("Write-back requests")
struct WriteBackTests {
    static let zendeskSettings = AdapterSettings(
        values: ["base_url": "https://acme.zendesk.com"],
        targets: ["cards": 360_004_077_472, "fraud_security": 360_004_077_480]
    )

    static let zendeskTicket = Ticket(
        externalID: "48213", source: "zendesk", subject: "Replacement card", tags: ["web_widget", "card_order"])

    @Test("Zendesk: PUT the ticket with the group id as a number, the priority, existing plus new tags, and an internal note")
    func zendesk() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let decision = Fixtures.decision(tags: ["Card Delivery", "card_order", "  "])
        let request = try #require(
            try zendesk.writeBack(for: decision, ticket: Self.zendeskTicket, settings: Self.zendeskSettings))

        #expect(request.adapter == "zendesk")
        #expect(request.method == "PUT")
        #expect(request.url == "https://acme.zendesk.com/api/v2/tickets/48213.json")
        #expect(request.headers == ["Content-Type": "application/json"])
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"ticket":{"comment":{"body":"Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.","public":false},"group_id":360004077472,"priority":"high","tags":["web_widget","card_order","card_delivery"]}}"#
        )
    }

    @Test("Zendesk: without a priority the member is left out, so the ticket's priority is kept")
    func zendeskWithoutPriority() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let decision = Fixtures.decision(department: "fraud_security", priority: nil, tags: [])
        let request = try #require(
            try zendesk.writeBack(for: decision, ticket: Self.zendeskTicket, settings: Self.zendeskSettings))
        #expect(
            try Fixtures.json(request.body)
                == [
                    "ticket": [
                        "group_id": 360_004_077_480, "tags": ["web_widget", "card_order"],
                        "comment": [
                            "body": "Switchyard routed this ticket to fraud_security: model openai/gpt-4o-mini, confidence 92 %.",
                            "public": false,
                        ],
                    ]
                ])
    }

    @Test("Zendesk: a department without a group id is an error that names the department")
    func zendeskMissingTarget() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        #expect(throws: WebhookError.missingTarget("payments_transfers")) {
            try zendesk.writeBack(
                for: Fixtures.decision(department: "payments_transfers"), ticket: Self.zendeskTicket,
                settings: Self.zendeskSettings)
        }
    }

    @Test("Zendesk: without base_url there is no destination, so no write-back")
    func zendeskWithoutBaseURL() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let settings = AdapterSettings(targets: Self.zendeskSettings.targets)
        #expect(try zendesk.writeBack(for: Fixtures.decision(), ticket: Self.zendeskTicket, settings: settings) == nil)
    }

    @Test("Zendesk: the ticket id is percent-encoded in the URL; a base URL that is not http(s) is refused")
    func zendeskURLs() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        var ticket = Self.zendeskTicket
        ticket.externalID = "48 213/x"
        let request = try #require(
            try zendesk.writeBack(for: Fixtures.decision(), ticket: ticket, settings: Self.zendeskSettings))
        #expect(request.url == "https://acme.zendesk.com/api/v2/tickets/48%20213%2Fx.json")

        let badSettings = AdapterSettings(
            values: ["base_url": "acme.zendesk.com"], targets: Self.zendeskSettings.targets)
        #expect(
            throws: WebhookError.invalidWriteBackURL(
                template: "${settings.base_url}/api/v2/tickets/${ticket.external_id}.json")
        ) {
            try zendesk.writeBack(for: Fixtures.decision(), ticket: Self.zendeskTicket, settings: badSettings)
        }
    }

    @Test("Generic: POST the decision to the callback URL")
    func generic() throws {
        let generic = try Fixtures.adapter("generic")
        let ticket = Ticket(externalID: "T-1001", source: "generic", tags: ["mobile_app"])
        let settings = AdapterSettings(values: ["callback_url": "https://helpdesk.example.com/hooks/switchyard"])
        let request = try #require(try generic.writeBack(for: Fixtures.decision(), ticket: ticket, settings: settings))

        #expect(request.method == "POST")
        #expect(request.url == "https://helpdesk.example.com/hooks/switchyard")
        #expect(request.headers == ["Content-Type": "application/json"])
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"decision":{"confidence":0.92,"decided_by":"openai/gpt-4o-mini","department":"cards","fields":{},"#
                + #""priority":"high","stage":"model","tags":["Card Delivery"]},"ticket_id":"T-1001"}"#)
    }

    @Test("Generic: absent priority and decided_by are sent as null; no callback URL means no write-back")
    func genericNullsAndNoCallback() throws {
        let generic = try Fixtures.adapter("generic")
        let ticket = Ticket(externalID: "T-1003", source: "generic")
        let decision = Fixtures.decision(department: "payments_transfers", priority: nil, tags: [], decidedBy: nil)
        let settings = AdapterSettings(values: ["callback_url": "http://127.0.0.1:8089/decisions"])
        let request = try #require(try generic.writeBack(for: decision, ticket: ticket, settings: settings))
        #expect(
            try Fixtures.json(request.body)
                == [
                    "ticket_id": "T-1003",
                    "decision": [
                        "department": "payments_transfers", "priority": nil, "tags": [], "fields": [:], "confidence": 0.92,
                        "stage": "model", "decided_by": nil,
                    ],
                ])

        #expect(try generic.writeBack(for: decision, ticket: ticket, settings: AdapterSettings()) == nil)
    }
}
