import HTTPTypes
import SwitchyardCore
import SwitchyardWebhooks
import Testing

@Suite("Zendesk payloads")
struct ZendeskDecodingTests {
    @Test("A ticket.created event becomes a ticket, keyed by the event id")
    func ticketCreatedEvent() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let inbound = try zendesk.decode(
            body: try Fixtures.sample("zendesk/ticket-created.json"), headers: HTTPFields())

        #expect(inbound.idempotencyKey == "cbe4028c-7239-495d-b020-f22348516046")
        let ticket = inbound.ticket
        #expect(ticket.externalID == "48213")
        #expect(ticket.source == "zendesk")
        #expect(ticket.subject == "Replacement card still hasn't arrived")
        #expect(ticket.body.hasPrefix("Hello, I ordered a replacement debit card on 28 February"))
        #expect(ticket.body.contains(#"the app just says "dispatched""#))
        #expect(ticket.tags == ["web_widget", "card_order"])
        #expect(ticket.channel == "web_form")
        #expect(ticket.requester == nil)  // the event carries only requester_id
        #expect(ticket.language == nil)
        #expect(ticket.status == "new")
        #expect(ticket.priority == nil, "null in the event")
        #expect(
            ticket.customFields == [
                "type": "question", "brand_id": "360003142651", "form_id": "360000591311",
                "requester_id": "900193672646",
            ])
    }

    @Test("Numeric ids map to their integer text, not 48213.0")
    func numericIdentifier() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let body = #"{"type":"zen:event-type:ticket.created","id":"e-1","detail":{"id":48213,"brand_id":360003142651}}"#
        let ticket = try zendesk.decode(body: Array(body.utf8), headers: HTTPFields()).ticket
        #expect(ticket.externalID == "48213")
        #expect(ticket.customFields["brand_id"] == "360003142651")
    }

    @Test("Ids below 2^53 stay exact; larger numbers, which two ids could share, are refused (strings of any length pass)")
    func largestExactIdentifier() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let largest = #"{"id":"e-2","detail":{"id":9007199254740991}}"#
        #expect(
            try zendesk.decode(body: Array(largest.utf8), headers: HTTPFields()).ticket.externalID == "9007199254740991")
        // 2^53 + 1 reads as the same Double as 2^53: taking either would merge two platform tickets.
        for id in ["9007199254740992", "9007199254740993"] {
            let body = #"{"id":"e-3","detail":{"id":"# + id + "}}"
            #expect(throws: WebhookError.wrongType(
                path: "$.detail.id",
                expected: "a string or an integer below 2^53 (send larger ids as strings: as JSON numbers they cannot be told apart)",
                found: "a number that is not such an integer")) {
                try zendesk.decode(body: Array(body.utf8), headers: HTTPFields())
            }
        }
        let asString = #"{"id":"e-4","detail":{"id":"9007199254740993"}}"#
        #expect(try zendesk.decode(body: Array(asString.utf8), headers: HTTPFields()).ticket.externalID == "9007199254740993")
    }

    @Test("A trigger webhook body becomes a ticket; its space-separated tags are split; no event id, so body hash")
    func triggerBody() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let body = Array(
            #"""
            {"ticket": {"id": "35436", "subject": "Locked out after three wrong PINs",
              "description": "My card was blocked at the ATM after I mistyped my PIN.",
              "tags": "atm  pin_blocked ", "via": "Web form", "status": "New", "priority": "",
              "requester": {"name": "Ana Souza", "email": "ana.souza@example.com"}}}
            """#.utf8)
        let inbound = try zendesk.decode(body: body, headers: HTTPFields())
        #expect(inbound.ticket.externalID == "35436")
        #expect(inbound.ticket.subject == "Locked out after three wrong PINs")
        #expect(inbound.ticket.tags == ["atm", "pin_blocked"])
        #expect(inbound.ticket.channel == "Web form")
        #expect(inbound.ticket.requester == Requester(name: "Ana Souza", email: "ana.souza@example.com"))
        #expect(inbound.ticket.status == "New")
        #expect(inbound.ticket.priority == nil, "a blank placeholder is absent")
        #expect(inbound.ticket.customFields.isEmpty)
        #expect(inbound.idempotencyKey.hasPrefix("35436:"))
        #expect(inbound.idempotencyKey.count == "35436:".count + 64)
    }

    @Test("Other event types are refused as unsupported, so the server can acknowledge and drop them")
    func otherEventType() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let body = #"{"type":"zen:event-type:user.created","id":"e-3","detail":{"id":"6596848315901"}}"#
        #expect(throws: WebhookError.unsupportedEvent(path: "$.type", value: "zen:event-type:user.created")) {
            try zendesk.decode(body: Array(body.utf8), headers: HTTPFields())
        }
    }

    @Test("Errors name the JSON path at fault")
    func errorsWithPaths() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let cases: [(String, WebhookError)] = [
            (
                #"{"type":"zen:event-type:ticket.created","id":"e","detail":{"subject":"x"}}"#,
                .missingField(path: "$.detail.id or $.ticket.id")
            ),
            (#"{"id":"e","detail":{"id":null}}"#, .missingField(path: "$.detail.id or $.ticket.id")),
            (
                #"{"id":"e","detail":{"id":"1","subject":42}}"#,
                .wrongType(path: "$.detail.subject", expected: "a string", found: "a number")
            ),
            (
                #"{"id":"e","detail":{"id":"1","tags":["vip",7]}}"#,
                .wrongType(path: "$.detail.tags[1]", expected: "a string", found: "a number")
            ),
            (
                #"{"id":"e","detail":{"id":"1","via":{"channel":["web"]}}}"#,
                .wrongType(path: "$.detail.via.channel", expected: "a string", found: "an array")
            ),
            (
                #"{"id":"e","detail":{"id":12.5}}"#,
                .wrongType(
                    path: "$.detail.id",
                    expected: "a string or an integer below 2^53 (send larger ids as strings: as JSON numbers they cannot be told apart)",
                    found: "a number that is not such an integer")
            ),
            (
                #"{"id":"e","detail":{"id":"  "}}"#,
                .wrongType(path: "$.detail.id", expected: "a non-empty string or an integer", found: "an empty string")
            ),
            (
                #"{"id":{"n":1},"detail":{"id":"1"}}"#,
                .wrongType(path: "$.id", expected: "a string or an integer", found: "an object")
            ),
            (
                #"{"type":7,"id":"e","detail":{"id":"1"}}"#,
                .wrongType(path: "$.type", expected: "a string", found: "a number")
            ),
        ]
        for (body, error) in cases {
            #expect(throws: error, "\(body)") {
                try zendesk.decode(body: Array(body.utf8), headers: HTTPFields())
            }
        }
    }
}
