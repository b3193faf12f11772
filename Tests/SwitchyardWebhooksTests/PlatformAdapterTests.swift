import Crypto
import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardWebhooks
import Testing

/// The shipped platform adapters against the platforms' own published signature examples and
/// payloads (sources in each adapter file and `Samples/webhooks/README.md`).
@Suite("Platform adapters")
struct PlatformAdapterTests {
    /// A published signature example: what the platform sent, the secret, and when.
    struct Vector: Sendable, CustomTestStringConvertible {
        var source: String
        var adapter: String
        var secret: String
        var method = "POST"
        var url = ""
        var headers: [String: String]
        var body: String
        var signedAt: Date

        var testDescription: String { source }

        func delivery(body: String? = nil) -> WebhookDelivery {
            WebhookDelivery(method: method, url: url, headers: Fixtures.headers(headers), body: Array((body ?? self.body).utf8))
        }
    }

    static let vectors: [Vector] = [
        // docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
        Vector(
            source: "GitHub docs", adapter: "github", secret: "It's a Secret to Everybody",
            headers: ["X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"],
            body: "Hello, World!", signedAt: Date()),
        // standard-webhooks/standard-webhooks libraries/python/tests/test_webhooks.py::test_sign_function
        // (the same values in the Go, JavaScript, PHP, Java and C# tests)
        Vector(
            source: "Standard Webhooks library tests (A)", adapter: "standard-webhooks",
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            headers: [
                "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
                "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ],
            body: #"{"test": 2432232314}"#, signedAt: Date(timeIntervalSince1970: 1_614_265_330)),
        // standard-webhooks/standard-webhooks libraries/rust/src/lib.rs::test_sign
        Vector(
            source: "Standard Webhooks library tests (B)", adapter: "standard-webhooks",
            secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            headers: [
                "webhook-id": "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", "webhook-timestamp": "1649367553",
                "webhook-signature": "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            ],
            body: #"{"email":"test@example.com","username":"test_user"}"#, signedAt: Date(timeIntervalSince1970: 1_649_367_553)),
        // HubSpot/hubspot-api-python tests/spec/utils/test_signature.py::test_get_signature__v3
        Vector(
            source: "HubSpot Python SDK tests", adapter: "hubspot", secret: "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
            url: "https://www.example.com/webhook_uri",
            headers: [
                "X-HubSpot-Signature-v3": "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=",
                "X-HubSpot-Request-Timestamp": "1693657560000",
            ],
            body: "{'example_field':'example_value'}", signedAt: Date(timeIntervalSince1970: 1_693_657_560)),
        // HubSpot/hubspot-api-ruby spec/helpers/signature_spec.rb (TEST_DATA[:v3_hash])
        Vector(
            source: "HubSpot Ruby SDK tests", adapter: "hubspot", secret: "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
            url: "https://www.example.com/webhook_uri",
            headers: [
                "X-HubSpot-Signature-v3": "RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=",
                "X-HubSpot-Request-Timestamp": "1700000300000",
            ],
            body: "{'example_field':'example_value'}", signedAt: Date(timeIntervalSince1970: 1_700_000_300)),
        // helpscout/helpscout-api-php examples/incoming_webhook.php
        Vector(
            source: "Help Scout PHP SDK example", adapter: "helpscout", secret: "asdfasdf",
            headers: ["X-HelpScout-Signature": "7S2+kN8bZsrdAEADJ+yYfWWsf/4=", "X-HelpScout-Event": "convo.deleted"],
            body: #"{"id":123}"#, signedAt: Date()),
        // Computed (Front publishes no example): base64(HMAC-SHA256(secret, timestamp_ms + ":" + body)),
        // with Python's hmac module, over Front's documented sync body.
        Vector(
            source: "Front (computed)", adapter: "front", secret: "front-app-signing-secret",
            headers: [
                "X-Front-Signature": "KoRjK4SbhihZOo6/pmJ0OUI2qv+jSrnXgCgT6DlTjGY=", "X-Front-Request-Timestamp": "1703102616000",
                "X-Front-Challenge": "c8a3f1",
            ],
            body: #"{"type":"sync","authorization":{"id":"cmp_2f9k3"}}"#, signedAt: Date(timeIntervalSince1970: 1_703_102_616)),
    ]

    @Test("published signature examples verify; a changed body or the wrong secret does not", arguments: vectors)
    func publishedVectors(vector: Vector) throws {
        let adapter = try Fixtures.adapter(vector.adapter)
        try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt)
        #expect(throws: WebhookError.signatureMismatch) {
            try adapter.verify(vector.delivery(body: vector.body + " "), secrets: [vector.secret], now: vector.signedAt)
        }
        let wrong = vector.secret.hasPrefix("whsec_") ? "whsec_" + Data(repeating: 7, count: 24).base64EncodedString() : vector.secret + "x"
        #expect(throws: WebhookError.signatureMismatch) {
            try adapter.verify(vector.delivery(), secrets: [wrong], now: vector.signedAt)
        }
        // Rotation: the old secret beside the new one still verifies.
        try adapter.verify(vector.delivery(), secrets: [wrong, vector.secret], now: vector.signedAt)
    }

    @Test("signed timestamps outside five minutes, either way, are refused", arguments: vectors.filter { !["github", "helpscout"].contains($0.adapter) })
    func staleTimestamps(vector: Vector) throws {
        let adapter = try Fixtures.adapter(vector.adapter)
        try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt.addingTimeInterval(299))
        for skew in [301.0, -301.0] {
            #expect(throws: WebhookError.self) {
                try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt.addingTimeInterval(skew))
            }
        }
        do {
            try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt.addingTimeInterval(3600))
            Issue.record("an hour-old delivery verified")
        } catch {
            #expect("\(error)".contains("3600 s old, outside the replay window of 300 s"), "\(error)")
        }
    }

    @Test("Standard Webhooks: any v1 signature in the list may match; other versions are skipped; none with the prefix is malformed")
    func standardWebhooksSignatureList() throws {
        let adapter = try Fixtures.adapter("standard-webhooks")
        var vector = Self.vectors[1]
        let valid = vector.headers["webhook-signature"]!
        vector.headers["webhook-signature"] = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc \(valid)"
        try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt)
        vector.headers["webhook-signature"] = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="
        #expect(throws: WebhookError.malformedSignature("webhook-signature must start with \"v1,\"")) {
            try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt)
        }
        // The delivery id is signed: changing it breaks the signature.
        vector = Self.vectors[1]
        vector.headers["webhook-id"] = "msg_other"
        #expect(throws: WebhookError.signatureMismatch) {
            try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt)
        }
    }

    @Test("what adapters sign prints verifies for every shipped adapter that authenticates, and fails for another body", arguments: [
        ("zendesk", "s3cret-zendesk"), ("github", "s3cret-github"), ("hubspot", "hubspot-client-secret"),
        ("standard-webhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ("helpscout", "hs-secret"), ("zammad", "zm-token"),
        ("jira", "jira-secret"), ("chatwoot", "cw-secret"), ("freshdesk", "fd-token-0123456789"), ("generic", "generic-secret"),
        ("front", "front-secret"), ("servicenow", "switchyard:sn-password"), ("intercom", "ic-client-secret"),
    ])
    func signingRoundTrip(adapter name: String, secret: String) throws {
        let adapter = try Fixtures.adapter(name)
        let now = Date()
        let delivery = WebhookDelivery(url: "https://switchyard.example.com/webhooks/\(name)", headers: [:], body: Array(#"{"id":1}"#.utf8))
        var signed = delivery
        signed.headers = try adapter.signingHeaders(for: delivery, secret: secret, now: now)
        #expect(!signed.headers.isEmpty)
        try adapter.verify(signed, secrets: [secret], now: now)
        var other = signed
        other.body = Array(#"{"id":2}"#.utf8)
        if case .hmac = adapter.definition.signature {
            #expect(throws: WebhookError.signatureMismatch) { try adapter.verify(other, secrets: [secret], now: now) }
        }
        #expect(throws: WebhookError.self) { try adapter.verify(signed, secrets: [secret + "x"], now: now) }
    }

    @Test("a timestamp that is not a time is refused before the signature is checked")
    func unreadableTimestamp() throws {
        let adapter = try Fixtures.adapter("standard-webhooks")
        for value in ["not-a-time", "1614265330.5", "-5"] {
            var vector = Self.vectors[1]
            vector.headers["webhook-timestamp"] = value
            #expect(throws: WebhookError.invalidTimestamp(header: "webhook-timestamp", reason: "\"\(value)\" is not a Unix time in seconds")) {
                try adapter.verify(vector.delivery(), secrets: [vector.secret], now: vector.signedAt)
            }
        }
    }

    @Test("a secret the scheme cannot use is refused at start, with the reason")
    func secretChecks() throws {
        #expect(try Fixtures.adapter("standard-webhooks").problem(withSecrets: ["whsec_!!not base64!!"])
            == "the secret must be whsec_ followed by base64 (as the platform shows it)")
        #expect(try Fixtures.adapter("standard-webhooks").problem(withSecrets: [Self.vectors[1].secret]) == nil)
        #expect(try Fixtures.adapter("github").problem(withSecrets: ["s3cret"]) == nil)
    }

    // MARK: Payloads

    func delivery(_ sample: String, headers: [String: String] = [:]) throws -> WebhookDelivery {
        WebhookDelivery(headers: Fixtures.headers(headers), body: try Fixtures.sample(sample))
    }

    @Test("GitHub: an opened issue is a ticket with its labels as tags; our own label coming back is an update, never decided again")
    func githubIssues() throws {
        let github = try Fixtures.adapter("github")
        let opened = try github.events(
            in: delivery("github/issues-opened.json", headers: ["X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"]),
            verified: false)
        guard case .ticket(let inbound)? = opened.first, opened.count == 1 else {
            Issue.record("expected one ticket, got \(opened)")
            return
        }
        #expect(inbound.ticket.externalID == "1")
        #expect(inbound.ticket.subject == "Spelling error in the README file")
        #expect(inbound.ticket.body.hasPrefix("It looks like you accidently spelled 'commit' with two 't's."))
        #expect(inbound.ticket.tags == ["bug"])
        #expect(inbound.ticket.requester?.name == "Codertocat")
        #expect(inbound.ticket.status == "open")
        #expect(inbound.ticket.customFields["repository"] == "Codertocat/Hello-World")
        #expect(inbound.idempotencyKey == "72d3162e-cc78-11e3-81ab-4c9367dc0958")

        let labeled = try github.events(in: delivery("github/issues-labeled.json"), verified: false)
        #expect(labeled.map(\.updateSummary) == [Fixtures.UpdateSummary(externalID: "1", type: "labeled")])

        let settings = AdapterSettings(
            values: ["api_url": "https://api.github.com", "repository": "Codertocat/Hello-World"], targets: ["cards": "team: cards"])
        let request = try #require(try github.writeBack(for: Fixtures.decision(), ticket: inbound.ticket, settings: settings))
        #expect(request.method == "POST")
        #expect(request.url == "https://api.github.com/repos/Codertocat/Hello-World/issues/1/labels")
        #expect(try Fixtures.json(request.body) == ["labels": ["team: cards", "priority: high"]])
        let noPriority = try #require(
            try github.writeBack(for: Fixtures.decision(priority: nil), ticket: inbound.ticket, settings: settings))
        #expect(try Fixtures.json(noPriority.body) == ["labels": ["team: cards"]])
    }

    @Test("Standard Webhooks: ticket.created is a ticket keyed by the signed webhook-id; the spec's contact.created is ignored")
    func standardWebhooksPayloads() throws {
        let adapter = try Fixtures.adapter("standard-webhooks")
        let events = try adapter.events(
            in: delivery("standard-webhooks/ticket-created.json", headers: ["webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"]),
            verified: true)
        guard case .ticket(let inbound)? = events.first else {
            Issue.record("expected a ticket, got \(events)")
            return
        }
        #expect(inbound.ticket.externalID == "T-2291")
        #expect(inbound.ticket.requester?.email == "maria.costa@example.com")
        #expect(inbound.idempotencyKey == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "webhook-id is signed, so it is trusted")
        #expect(
            try adapter.events(in: delivery("standard-webhooks/spec-example-contact-created.json"), verified: false)
                == [.ignored(path: "$.type", value: "contact.created")])
    }

    @Test("Help Scout: convo.created is a ticket from its first thread; our own changes come back as updates; three write-back calls, tags kept")
    func helpScout() throws {
        let helpscout = try Fixtures.adapter("helpscout")
        let created = try helpscout.events(
            in: delivery("helpscout/convo-created.json", headers: ["X-HelpScout-Event": "convo.created"]), verified: true)
        guard case .ticket(let inbound)? = created.first else {
            Issue.record("expected a ticket, got \(created)")
            return
        }
        #expect(inbound.ticket.externalID == "123")
        #expect(inbound.ticket.subject == "Need Help")
        #expect(inbound.ticket.body == "This is a test")
        #expect(inbound.ticket.tags == ["vip"])
        #expect(inbound.ticket.requester?.email == "john.doe@example.com")
        #expect(inbound.ticket.customFields["mailbox_id"] == "85")
        // Our own move, tags and note come back: acknowledged, never read as the ticket's text.
        for event in ["convo.moved", "convo.tags", "convo.note.created"] {
            #expect(
                try helpscout.events(in: delivery("helpscout/convo-created.json", headers: ["X-HelpScout-Event": event]), verified: true)
                    == [.ignored(path: "X-HelpScout-Event", value: event)])
        }
        #expect(
            try helpscout.events(
                in: delivery("helpscout/convo-created.json", headers: ["X-HelpScout-Event": "convo.customer.reply.created"]), verified: true
            ).map(\.updateSummary) == [Fixtures.UpdateSummary(externalID: "123", type: "convo.customer.reply.created")])
        #expect(
            try helpscout.events(in: delivery("helpscout/convo-created.json", headers: ["X-HelpScout-Event": "customer.created"]), verified: true)
                == [.ignored(path: "X-HelpScout-Event", value: "customer.created")])

        let settings = AdapterSettings(values: ["base_url": "https://api.helpscout.net"], targets: ["cards": 85])
        let requests = try helpscout.writeBacks(for: Fixtures.decision(), ticket: inbound.ticket, settings: settings)
        #expect(requests.map(\.method) == ["PATCH", "PUT", "POST"])
        #expect(requests.map(\.url) == [
            "https://api.helpscout.net/v2/conversations/123", "https://api.helpscout.net/v2/conversations/123/tags",
            "https://api.helpscout.net/v2/conversations/123/notes",
        ])
        #expect(try Fixtures.json(requests[0].body) == [["op": "move", "path": "/mailboxId", "value": 85]])
        #expect(try Fixtures.json(requests[1].body) == ["tags": ["vip", "Card Delivery"]], "the conversation's tags are kept")
        #expect(try Fixtures.json(requests[2].body) == [
            "text": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.",
        ])
    }

    @Test("Freshdesk: the shared token in its header is the proof; the rendered trigger body is a ticket; group, 1–4 priority, tags kept, private note")
    func freshdesk() throws {
        let freshdesk = try Fixtures.adapter("freshdesk")
        let body = try Fixtures.sample("freshdesk/ticket-created.json")
        let token = "fd-shared-token-5b7c0e9a1d"
        try freshdesk.verify(WebhookDelivery(headers: Fixtures.headers(["X-Switchyard-Token": token]), body: body), secrets: [token], now: Date())
        for wrong in ["", token + "x", String(token.dropLast())] {
            #expect(throws: WebhookError.self) {
                try freshdesk.verify(WebhookDelivery(headers: Fixtures.headers(["X-Switchyard-Token": wrong]), body: body), secrets: [token], now: Date())
            }
        }
        let ticket = try freshdesk.decode(body: body).ticket
        #expect(ticket.externalID == "4711")
        #expect(ticket.subject == "VPN drops every 10 minutes")
        #expect(ticket.tags == ["vpn", "network"], "{{ticket.tags}} renders a comma-separated list")
        #expect(ticket.priority == "Medium" && ticket.status == "Open")
        #expect(ticket.requester == Requester(name: "Alex Doe", email: "alex.doe@example.com"))

        let settings = AdapterSettings(values: ["base_url": "https://acme.freshdesk.com"], targets: ["cards": 2043])
        let requests = try freshdesk.writeBacks(for: Fixtures.decision(priority: .urgent), ticket: ticket, settings: settings)
        #expect(requests.map(\.url) == ["https://acme.freshdesk.com/api/v2/tickets/4711", "https://acme.freshdesk.com/api/v2/tickets/4711/notes"])
        #expect(try Fixtures.json(requests[0].body) == ["group_id": 2043, "priority": 4, "tags": ["vpn", "network", "card_delivery"]])
        #expect(try Fixtures.json(requests[1].body) == [
            "body": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority urgent.", "private": true,
        ])
    }

    @Test("Zammad: the documented default payload is a ticket with its HTML article as text; signed sha1=hex; update with an internal note, then a tag")
    func zammad() throws {
        let zammad = try Fixtures.adapter("zammad")
        let body = try Fixtures.sample("zammad/ticket-created.json")
        // Computed, not published (Zammad's specs publish no signature): hmac.new(b"zammad-token", body, sha1).hexdigest()
        let signature = "sha1=" + Self.hmacSHA1Hex(key: "zammad-token", body)
        try zammad.verify(WebhookDelivery(headers: Fixtures.headers(["X-Hub-Signature": signature]), body: body), secrets: ["zammad-token"], now: Date())
        let ticket = try zammad.decode(body: body).ticket
        #expect(ticket.externalID == "81")
        #expect(ticket.subject == "Webhook-Test")
        #expect(ticket.body == "This is a simple Webhook Test.")
        #expect(ticket.originalBody?.hasPrefix("This is a simple Webhook Test.<div><br></div>") == true)
        #expect(ticket.requester?.email == "emily@example.com")
        #expect(ticket.priority == "2 normal")
        #expect(ticket.customFields["group"] == "Service Desk")

        let settings = AdapterSettings(values: ["base_url": "https://zammad.example.com"], targets: ["cards": "Cards"])
        let requests = try zammad.writeBacks(for: Fixtures.decision(), ticket: ticket, settings: settings)
        #expect(requests.map(\.method) == ["PUT", "POST"])
        #expect(try Fixtures.json(requests[0].body) == [
            "group": "Cards", "priority": "3 high",
            "article": [
                "body": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.",
                "type": "note", "internal": true, "content_type": "text/plain",
            ],
        ])
        #expect(try Fixtures.json(requests[1].body) == ["object": "Ticket", "o_id": "81", "item": "switchyard-cards"])
    }

    @Test("Jira: Atlassian's example callback is an update; a created issue is a ticket; a label added, the priority by name, an internal comment")
    func jira() throws {
        let jira = try Fixtures.adapter("jira")
        #expect(
            try jira.events(in: delivery("jira/issue-updated-atlassian-example.json"), verified: false).map(\.updateSummary)
                == [Fixtures.UpdateSummary(externalID: "JRA-20002", type: "jira:issue_updated")])
        let ticket = try jira.decode(body: try Fixtures.sample("jira/issue-created.json")).ticket
        #expect(ticket.externalID == "HELP-42")
        #expect(ticket.subject == "VPN drops every 10 minutes")
        #expect(ticket.tags == ["vpn"] && ticket.priority == "Medium" && ticket.status == "Open")
        #expect(ticket.requester?.name == "Alex Doe")

        let settings = AdapterSettings(values: ["base_url": "https://acme.atlassian.net"], targets: ["cards": "team-cards"])
        let requests = try jira.writeBacks(for: Fixtures.decision(), ticket: ticket, settings: settings)
        #expect(requests.map(\.url) == [
            "https://acme.atlassian.net/rest/api/3/issue/HELP-42", "https://acme.atlassian.net/rest/servicedeskapi/request/HELP-42/comment",
        ])
        #expect(try Fixtures.json(requests[0].body) == ["update": ["labels": [["add": "team-cards"]]], "fields": ["priority": ["name": "High"]]])
        let unprioritised = try jira.writeBacks(for: Fixtures.decision(priority: nil), ticket: ticket, settings: settings)
        #expect(try Fixtures.json(unprioritised[0].body) == ["update": ["labels": [["add": "team-cards"]]], "fields": [:]])
        #expect(try Fixtures.json(requests[1].body) == [
            "body": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.", "public": false,
        ])
    }

    @Test("Chatwoot: signed timestamp.body (computed vector), a created conversation is a ticket, the documented message sample an update; team, priority, labels kept, private note")
    func chatwoot() throws {
        let chatwoot = try Fixtures.adapter("chatwoot")
        // Computed, not published (Chatwoot's specs assert no literal signature):
        // hmac.new(b"whsec-chatwoot-test", b"1700000000." + body, sha256).hexdigest()
        let vector = WebhookDelivery(
            headers: Fixtures.headers([
                "X-Chatwoot-Timestamp": "1700000000",
                "X-Chatwoot-Signature": "sha256=75f609f71f6248fb1e3e9988f8d9c537109a1f7aae5173144c219584d0fd72bd",
            ]),
            body: Array(#"{"event":"conversation_created","id":42,"account":{"id":1}}"#.utf8))
        try chatwoot.verify(vector, secrets: ["whsec-chatwoot-test"], now: Date(timeIntervalSince1970: 1_700_000_100))
        #expect(throws: WebhookError.self) {
            try chatwoot.verify(vector, secrets: ["whsec-chatwoot-test"], now: Date(timeIntervalSince1970: 1_700_000_400))
        }

        let ticket = try chatwoot.decode(body: try Fixtures.sample("chatwoot/conversation-created.json")).ticket
        #expect(ticket.externalID == "130")
        #expect(ticket.subject == "Refund for order 1234")
        #expect(ticket.body == "Hello, I was charged twice for order 1234.")
        #expect(ticket.requester == Requester(name: "Jane Doe", email: "jane@example.com"))
        let message = try chatwoot.events(in: delivery("chatwoot/message-created-docs.json"), verified: false)
        #expect(message == [.ignored(path: "$.event", value: "message_created")], "our private note comes back this way")

        let settings = AdapterSettings(
            values: ["base_url": "https://app.chatwoot.com", "account_id": "1"], targets: ["cards": 5])
        let requests = try chatwoot.writeBacks(for: Fixtures.decision(), ticket: ticket, settings: settings)
        let base = "https://app.chatwoot.com/api/v1/accounts/1/conversations/130"
        #expect(requests.map(\.url) == ["\(base)/assignments", "\(base)/toggle_priority", "\(base)/labels", "\(base)/messages"])
        #expect(try requests.map { try Fixtures.json($0.body) } == [
            ["team_id": 5], ["priority": "high"], ["labels": ["card_delivery"]],
            [
                "content": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.",
                "message_type": "outgoing", "private": true,
            ],
        ])
        let unprioritised = try chatwoot.writeBacks(for: Fixtures.decision(priority: nil), ticket: ticket, settings: settings)
        #expect(unprioritised.map(\.url) == ["\(base)/assignments", "\(base)/labels", "\(base)/messages"],
            "no priority call that would clear the conversation's priority")
    }

    @Test("Intercom: a new conversation is a ticket from its HTML source; signed sha1=hex (computed vector); team assignment and a note as the configured admin")
    func intercom() throws {
        let intercom = try Fixtures.adapter("intercom")
        // Computed, not published (Intercom's documented example omits its secret):
        // hmac.new(b"intercom-client-secret", body, sha1).hexdigest()
        try intercom.verify(
            WebhookDelivery(
                headers: Fixtures.headers(["X-Hub-Signature": "sha1=4ba877092dab7895f8d587a222aca03f52523149"]),
                body: Array(#"{"type":"notification_event","topic":"conversation.user.created","id":"notif_1","data":{"type":"notification_event_data","item":{"type":"conversation","id":"123"}}}"#.utf8)),
            secrets: ["intercom-client-secret"], now: Date())
        let events = try intercom.events(in: delivery("intercom/conversation-user-created.json"), verified: true)
        guard case .ticket(let inbound)? = events.first else {
            Issue.record("expected a ticket, got \(events)")
            return
        }
        #expect(inbound.ticket.externalID == "503")
        #expect(inbound.ticket.body == "this is the message body")
        #expect(inbound.ticket.tags == ["Test tag"])
        #expect(inbound.idempotencyKey == "notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3")

        let settings = AdapterSettings(values: ["base_url": "https://api.intercom.io", "admin_id": "991267645"], targets: ["cards": "5017691"])
        let requests = try intercom.writeBacks(for: Fixtures.decision(), ticket: inbound.ticket, settings: settings)
        #expect(requests.map(\.url) == ["https://api.intercom.io/conversations/503/parts", "https://api.intercom.io/conversations/503/reply"])
        #expect(try Fixtures.json(requests[0].body) == [
            "message_type": "assignment", "type": "team", "admin_id": "991267645", "assignee_id": "5017691",
        ])
        #expect(try Fixtures.json(requests[1].body) == [
            "message_type": "note", "type": "admin", "admin_id": "991267645",
            "body": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high.",
        ])
    }

    @Test("Front: an inbound message is a ticket from its text, keyed by the event id; the set-up challenge header is named; our own move and comment are ignored; inbox move and internal comment")
    func front() throws {
        let front = try Fixtures.adapter("front")
        #expect(front.definition.events?.challengeHeader == HTTPField.Name("X-Front-Challenge"))
        let events = try front.events(in: delivery("front/inbound-received.json"), verified: true)
        guard case .update(let update)? = events.first, events.count == 1 else {
            Issue.record("expected one inbound event, got \(events)")
            return
        }
        // inbound_received is new and update: the conversation is a ticket unless it is known.
        #expect(update.type == "inbound_received")
        #expect(update.idempotencyKey == "evt_4ckcra8e")
        let ticket = update.ticket
        #expect(ticket.externalID == "cnv_yo1kg5q")
        #expect(ticket.subject == "My card hasn't arrived")
        #expect(ticket.body == "I ordered a new card two weeks ago and it still has not arrived.\nCan you check where it is?")
        #expect(ticket.requester == Requester(name: "Leela Turanga", email: "leela@example.com"))
        #expect(ticket.tags == ["new-customer"])
        #expect(ticket.channel == "email")
        #expect(try front.decode(body: try Fixtures.sample("front/inbound-received.json")).ticket == ticket)

        let moved = Array(#"{"type":"conversation_moved","payload":{"id":"evt_2","type":"move","conversation":{"id":"cnv_yo1kg5q"}}}"#.utf8)
        #expect(try front.events(in: WebhookDelivery(headers: [:], body: moved), verified: true)
            == [.ignored(path: "$.type", value: "conversation_moved")])

        let settings = AdapterSettings(values: ["base_url": "https://api2.frontapp.com"], targets: ["cards": "inb_cards"])
        let requests = try front.writeBacks(for: Fixtures.decision(), ticket: ticket, settings: settings)
        #expect(requests.map(\.method) == ["PATCH", "POST"])
        #expect(requests.map(\.url) == [
            "https://api2.frontapp.com/conversations/cnv_yo1kg5q", "https://api2.frontapp.com/conversations/cnv_yo1kg5q/comments",
        ])
        #expect(try Fixtures.json(requests[0].body) == ["inbox_id": "inb_cards"])
        #expect(try Fixtures.json(requests[1].body) == [
            "body": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority high."
        ])
    }

    @Test("ServiceNow: basic authentication is the proof; the business rule's incident is a ticket; assignment group, impact and urgency for the priority, a work note")
    func serviceNow() throws {
        let servicenow = try Fixtures.adapter("servicenow")
        let body = try Fixtures.sample("servicenow/incident-created.json")
        let secret = "switchyard:sn-webhook-password"
        let basic = "Basic " + Data(secret.utf8).base64EncodedString()
        try servicenow.verify(WebhookDelivery(headers: Fixtures.headers(["Authorization": basic]), body: body), secrets: [secret], now: Date())
        #expect(throws: WebhookError.self) {
            try servicenow.verify(WebhookDelivery(headers: Fixtures.headers(["Authorization": basic + "x"]), body: body), secrets: [secret], now: Date())
        }
        #expect(throws: WebhookError.self) { try servicenow.verify(WebhookDelivery(headers: [:], body: body), secrets: [secret], now: Date()) }

        let ticket = try servicenow.decode(body: body).ticket
        #expect(ticket.externalID == "ef43c6d40a0a0b5700c77f9bf387afe3")
        #expect(ticket.subject == "Can't access Exchange server - is it down?")
        #expect(ticket.body == "Since this morning Outlook says it cannot connect to the Exchange server.")
        #expect(ticket.requester == Requester(name: "Joe Employee", email: "employee@example.com"))
        #expect(ticket.priority == "1" && ticket.status == "2" && ticket.channel == "phone")
        #expect(ticket.customFields["number"] == "INC0000050")
        #expect(try servicenow.events(in: delivery("servicenow/incident-updated.json"), verified: true).map(\.updateSummary)
            == [Fixtures.UpdateSummary(externalID: "ef43c6d40a0a0b5700c77f9bf387afe3", type: "incident.updated")])

        let settings = AdapterSettings(
            values: ["base_url": "https://acme.service-now.com"], targets: ["cards": "287ebd7da9fe198100f92cc8d1d2154e"])
        let urgent = try #require(try servicenow.writeBack(for: Fixtures.decision(priority: .urgent), ticket: ticket, settings: settings))
        #expect(urgent.method == "PATCH")
        #expect(urgent.url == "https://acme.service-now.com/api/now/table/incident/ef43c6d40a0a0b5700c77f9bf387afe3")
        #expect(try Fixtures.json(urgent.body) == [
            "assignment_group": "287ebd7da9fe198100f92cc8d1d2154e", "impact": "1", "urgency": "1",
            "work_notes": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority urgent.",
        ], "urgent is impact 1 × urgency 1: priority 1 (critical)")
        let low = try #require(try servicenow.writeBack(for: Fixtures.decision(priority: .low), ticket: ticket, settings: settings))
        #expect(try Fixtures.json(low.body) == [
            "assignment_group": "287ebd7da9fe198100f92cc8d1d2154e", "impact": "2", "urgency": "3",
            "work_notes": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %. Priority low.",
        ], "low is priority 4")
        let none = try #require(try servicenow.writeBack(for: Fixtures.decision(priority: nil), ticket: ticket, settings: settings))
        #expect(try Fixtures.json(none.body) == [
            "assignment_group": "287ebd7da9fe198100f92cc8d1d2154e",
            "work_notes": "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 92 %.",
        ], "no priority leaves ServiceNow's own")
    }

    static func hmacSHA1Hex(key: String, _ body: [UInt8]) -> String {
        Hex.encode(Array(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Array(key.utf8)))))
    }

    @Test("HubSpot: each event of the array is its own ticket or update, keyed by its eventId; other object types are ignored")
    func hubspotEvents() throws {
        let hubspot = try Fixtures.adapter("hubspot")
        #expect(
            try hubspot.events(in: delivery("hubspot/docs-v1-signature-example.json"), verified: false)
                == [.ignored(path: "$.subscriptionType", value: "contact.creation")])
        let body = #"""
            [{"eventId":101,"subscriptionType":"ticket.creation","objectId":4412987001,"portalId":62515,"changeSource":"CRM"},
             {"eventId":102,"subscriptionType":"ticket.propertyChange","objectId":4412987001,"propertyName":"hs_ticket_priority"},
             {"eventId":103,"subscriptionType":"ticket.creation","objectId":4412987002,"portalId":62515}]
            """#
        let events = try hubspot.events(in: WebhookDelivery(headers: [:], body: Array(body.utf8)), verified: true)
        #expect(events.count == 3)
        guard case .ticket(let first) = events[0], case .ticket(let third) = events[2] else {
            Issue.record("expected tickets first and last, got \(events)")
            return
        }
        #expect(first.ticket.externalID == "4412987001" && first.idempotencyKey == "101")
        #expect(first.ticket.customFields == ["portal_id": "62515", "change_source": "CRM"])
        #expect(events[1].updateSummary == Fixtures.UpdateSummary(externalID: "4412987001", type: "ticket.propertyChange"))
        #expect(third.ticket.externalID == "4412987002" && third.idempotencyKey == "103")

        // One malformed event refuses the delivery, naming the event.
        let broken = #"[{"eventId":1,"subscriptionType":"ticket.creation","objectId":7},{"eventId":2,"subscriptionType":"ticket.creation","objectId":true}]"#
        #expect(throws: WebhookError.wrongType(path: "$[1].objectId", expected: "a string or an integer", found: "a boolean")) {
            try hubspot.events(in: WebhookDelivery(headers: [:], body: Array(broken.utf8)), verified: true)
        }

        let settings = AdapterSettings(values: ["base_url": "https://api.hubapi.com"], targets: ["cards": "31337"])
        let request = try #require(try hubspot.writeBack(for: Fixtures.decision(), ticket: first.ticket, settings: settings))
        #expect(request.method == "PATCH")
        #expect(request.url == "https://api.hubapi.com/crm/v3/objects/tickets/4412987001")
        #expect(try Fixtures.json(request.body) == ["properties": ["hubspot_owner_id": "31337", "hs_ticket_priority": "HIGH"]])
    }

    @Test("HubSpot: the ticket's content is read from the CRM API, and the answer fills in what the event lacks")
    func hubspotFetch() throws {
        let hubspot = try Fixtures.adapter("hubspot")
        var ticket = Ticket(externalID: "4412987001", source: "hubspot")
        ticket.customFields = ["portal_id": "62515"]
        let settings = AdapterSettings(values: ["base_url": "https://api.hubapi.com"], targets: [:])
        let request = try #require(try hubspot.fetchRequest(for: ticket, settings: settings))
        #expect(request.method == "GET" && request.body.isEmpty)
        #expect(
            request.url == "https://api.hubapi.com/crm/v3/objects/tickets/4412987001"
                + "?properties=subject,content,hs_ticket_priority,hs_pipeline_stage,source_type,hs_ticket_category")
        #expect(throws: WebhookError.missingSetting("base_url")) {
            try hubspot.fetchRequest(for: ticket, settings: AdapterSettings(values: [:], targets: [:]))
        }

        // The shape of HubSpot's answer (developers.hubspot.com/docs/api/crm/tickets).
        let answer = #"""
            {"id":"4412987001","properties":{"content":"Hi,<br><br>my card payment was declined twice.<br><br>Thanks,<br>Ana",
            "createdate":"2026-11-30T09:12:44.551Z","hs_object_id":"4412987001","hs_pipeline_stage":"1",
            "hs_ticket_category":null,"hs_ticket_priority":"HIGH","source_type":"EMAIL","subject":"Card declined"},
            "createdAt":"2026-11-30T09:12:44.551Z","updatedAt":"2026-11-30T09:12:45.812Z","archived":false}
            """#
        let completed = try hubspot.completing(ticket, withFetched: Array(answer.utf8))
        #expect(completed.subject == "Card declined")
        #expect(completed.body == "Hi,\nmy card payment was declined twice.\nThanks,\nAna", "HTML to text, as a webhook body is")
        #expect(completed.originalBody?.hasPrefix("Hi,<br><br>") == true)
        #expect(completed.priority == "HIGH" && completed.status == "1" && completed.channel == "EMAIL")
        #expect(completed.customFields == ["portal_id": "62515"], "the event's fields stay; a null category adds nothing")
        #expect(completed.externalID == "4412987001")

        #expect(throws: WebhookError.self) { try hubspot.completing(ticket, withFetched: Array("<html>".utf8)) }
        #expect(throws: WebhookError.wrongType(path: "$.properties.subject", expected: "a string", found: "a number")) {
            try hubspot.completing(ticket, withFetched: Array(#"{"properties":{"subject":5}}"#.utf8))
        }
        // Adapters without a fetch take the webhook as the whole ticket.
        #expect(try Fixtures.adapter("zendesk").fetchRequest(for: ticket, settings: settings) == nil)
    }
}
