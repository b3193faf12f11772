import Crypto
import InMemoryLogging
import Foundation
import SwitchyardTestSupport
import Testing

/// A HubSpot app's webhook over a real socket: a signed array of events, each its own ticket or
/// update, answered in one response, then written back to an in-process HubSpot CRM API.
@Suite struct HubSpotEndToEndTests {
    static let clientSecret = "hubspot-client-secret-0c4d"
    static let publicURL = "https://switchyard.example.com/webhooks/hubspot"

    static func adapter(baseURL: String) -> String {
        let departments = [
            "cards", "payments_transfers", "topups_cash_atm", "fees_fx", "disputes_refunds", "fraud_security",
            "identity_verification", "account_management",
        ]
        return """
              hubspot:
                secret: \(clientSecret)
                public_url: \(publicURL)
                settings: { base_url: "\(baseURL)" }
                auth: { type: bearer, token: hubspot-private-app-token }
                targets:
            \(departments.enumerated().map { "          \($0.element): \"\(9000 + $0.offset)\"" }.joined(separator: "\n"))
            """
    }

    /// Headers HubSpot sends: v3 signature of method + URL + body + timestamp (ms).
    static func signedHeaders(body: String, url: String = publicURL, at time: Date = Date()) -> [String: String] {
        let timestamp = String(Int64(time.timeIntervalSince1970 * 1000))
        let message = Data(("POST" + url + body + timestamp).utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(clientSecret.utf8)))
        return ["X-HubSpot-Signature-v3": Data(mac).base64EncodedString(), "X-HubSpot-Request-Timestamp": timestamp]
    }

    @Test("a signed array of events: new tickets queued, an update acknowledged, one response; each ticket written back")
    func eventArray() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(body: #"{"id":"1","properties":{}}"#) }) { crm in
            var setup = ServerSetup()
            setup.extraAdapters = Self.adapter(baseURL: crm.baseURL)
            try await withServer(setup) { server in
                let body = """
                    [{"eventId":501,"subscriptionType":"ticket.creation","objectId":7001,"portalId":62515},\
                    {"eventId":502,"subscriptionType":"ticket.propertyChange","objectId":7001,"propertyName":"hs_ticket_priority"},\
                    {"eventId":503,"subscriptionType":"ticket.creation","objectId":7002,"portalId":62515}]
                    """
                let reply = try await server.post("/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body))
                #expect(reply.status == 202)
                #expect(reply.json["status"] as? String == "accepted")
                let events = try #require(reply.json["events"] as? [[String: Any]])
                #expect(events.map { $0["status"] as? String } == ["queued", "queued", "queued"])
                #expect((events[1]["reason"] as? String)?.contains("asks for ticket 7001 to be decided again") == true)

                // A retried delivery makes no new ticket; its property change asks again for the
                // ticket to be decided, which writes nothing when the decision is the same.
                let again = try await server.post("/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body))
                #expect((again.json["events"] as? [[String: Any]])?.map { $0["status"] as? String } == ["duplicate", "queued", "duplicate"])

                let patched = try await eventually("both tickets written back") {
                    let patches = crm.requests.filter { $0.method == "PATCH" }
                    return patches.count >= 2 ? patches : nil
                }
                #expect(Set(patched.map(\.path)) == ["/crm/v3/objects/tickets/7001", "/crm/v3/objects/tickets/7002"])
                #expect(patched.allSatisfy { $0.method == "PATCH" })
                #expect(patched.allSatisfy { $0.headers[.authorization] == "Bearer hubspot-private-app-token" })
                let properties = try #require(try patched[0].json()["properties"] as? [String: any Sendable])
                #expect((properties["hubspot_owner_id"] as? String)?.hasPrefix("900") == true)
            }
        }
    }

    /// HubSpot's answer to `GET /crm/v3/objects/tickets/{id}?properties=…` (developers.hubspot.com/docs/api/crm/tickets).
    static func crmTicket(_ id: String, subject: String, content: String, priority: String = "MEDIUM") -> String {
        """
        {"id":"\(id)","properties":{"content":\(ZendeskEndToEndTests.json(content)),"createdate":"2026-11-30T09:12:44.551Z",\
        "hs_lastmodifieddate":"2026-11-30T09:12:45.812Z","hs_object_id":"\(id)","hs_pipeline_stage":"1",\
        "hs_ticket_category":"PRODUCT_ISSUE","hs_ticket_priority":"\(priority)","source_type":"EMAIL",\
        "subject":\(ZendeskEndToEndTests.json(subject))},"createdAt":"2026-11-30T09:12:44.551Z",\
        "updatedAt":"2026-11-30T09:12:45.812Z","archived":false}
        """
    }

    @Test("a ticket's content is read from the CRM API before it is decided, stored and shown; our own change's event decides it again to the same effect and writes nothing")
    func contentIsFetched() async throws {
        try await ScriptedHTTPServer.withServer(handler: { request, _ in
            request.method == "GET"
                ? ScriptedResponse(body: Self.crmTicket(
                    "7301", subject: "Card stolen", content: "<p>My <b>stolen card</b> was used on the train.</p><p>Please help</p>"))
                : ScriptedResponse(body: #"{"id":"7301","properties":{}}"#)
        }) { crm in
            var setup = ServerSetup()
            setup.extraAdapters = Self.adapter(baseURL: crm.baseURL)
            try await withServer(setup) { server in
                let body = #"[{"eventId":701,"subscriptionType":"ticket.creation","objectId":7301,"portalId":62515}]"#
                let reply = try await server.post("/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body))
                let id = try #require((reply.json["events"] as? [[String: Any]])?.first?["ticket_id"] as? String)
                let patch = try await eventually("the decision written back") { crm.requests.first { $0.method == "PATCH" } }

                let fetch = try #require(crm.requests.first)
                #expect(fetch.method == "GET", "read before deciding")
                #expect(fetch.path.hasPrefix("/crm/v3/objects/tickets/7301?properties=subject,content,hs_ticket_priority,"))
                #expect(fetch.headers[.authorization] == "Bearer hubspot-private-app-token")
                let properties = try #require(try patch.json()["properties"] as? [String: any Sendable])
                #expect(properties["hubspot_owner_id"] as? String == "9005", "fraud_security, by the stolen-card rule on the fetched text")
                #expect(properties["hs_ticket_priority"] as? String == "URGENT")

                let record = try await server.get("/v1/tickets/\(id)").json
                let ticket = try #require(record["ticket"] as? [String: Any])
                #expect(ticket["subject"] as? String == "Card stolen")
                #expect(ticket["body"] as? String == "My stolen card was used on the train.\n\nPlease help")
                #expect((ticket["original_body"] as? String)?.hasPrefix("<p>My <b>stolen") == true)
                #expect(ticket["priority"] as? String == "MEDIUM")
                #expect(ticket["channel"] as? String == "EMAIL")

                // The owner change we made comes back as a property change: read again, decided
                // again to the same department, nothing more written.
                let echo = #"[{"eventId":702,"subscriptionType":"ticket.propertyChange","objectId":7301,"propertyName":"hubspot_owner_id","propertyValue":"9005","changeSource":"INTEGRATION"}]"#
                let echoed = try await server.post("/webhooks/hubspot", json: echo, headers: Self.signedHeaders(body: echo))
                #expect((echoed.json["events"] as? [[String: Any]])?.first?["status"] as? String == "queued")
                try await eventually("decided a second time") {
                    let decisions = try await server.get("/v1/tickets/\(id)").json["decisions"] as? [[String: Any]] ?? []
                    return decisions.count == 2 ? true : nil
                }
                #expect(crm.requests.filter { $0.method == "GET" }.count == 2)
                #expect(crm.requests.filter { $0.method == "PATCH" }.count == 1, "the same decision is not written back twice")
            }
        }
    }

    @Test("a CRM API that rate-limits the read is tried again after the lease; one that says the ticket is gone leaves the webhook's content, logged")
    func fetchFailures() async throws {
        try await ScriptedHTTPServer.withServer(handler: { request, index in
            if request.method == "PATCH" { return ScriptedResponse(body: "{}") }
            if request.path.contains("/tickets/7402") {
                return ScriptedResponse(
                    status: .notFound,
                    body: #"{"status":"error","message":"Object not found.  objectId are usually numeric.","correlationId":"4e7c1f3a-8f9e-4f1b-9d3c-2f4b5a6c7d8e","category":"OBJECT_NOT_FOUND"}"#)
            }
            if index == 0 {
                var headers = ScriptedResponse().headers
                headers[.retryAfter] = "1"
                return ScriptedResponse(
                    status: .tooManyRequests, headers: headers,
                    body: #"{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c0c5bd2f-7f0a-4c7e-9a57-0d1e2f3a4b5c","policyName":"SECONDLY","groupName":"publicapi:private-app-api-calls-secondly:12345:62515"}"#)
            }
            return ScriptedResponse(body: Self.crmTicket("7401", subject: "Lost card", content: "I lost my card at the airport"))
        }) { crm in
            var setup = ServerSetup()
            setup.extraAdapters = Self.adapter(baseURL: crm.baseURL)
            setup.modelDeadline = "1s"
            setup.triageLease = "3s"
            let logs = InMemoryLogHandler()
            try await withServer(setup, logHandler: logs) { server in
                let first = #"[{"eventId":801,"subscriptionType":"ticket.creation","objectId":7401}]"#
                _ = try await server.post("/webhooks/hubspot", json: first, headers: Self.signedHeaders(body: first))
                let patch = try await eventually("written back after the second read") {
                    crm.requests.first { $0.method == "PATCH" && $0.path.contains("/tickets/7401") }
                }
                #expect(crm.requests.filter { $0.method == "GET" && $0.path.contains("/tickets/7401") }.count == 2)
                let properties = try #require(try patch.json()["properties"] as? [String: any Sendable])
                #expect(properties["hubspot_owner_id"] as? String == "9005")
                #expect(logs.entries.contains { "\($0.message)".hasPrefix("Could not read the ticket from its platform; trying again") })

                let gone = #"[{"eventId":802,"subscriptionType":"ticket.creation","objectId":7402}]"#
                let reply = try await server.post("/webhooks/hubspot", json: gone, headers: Self.signedHeaders(body: gone))
                let id = try #require((reply.json["events"] as? [[String: Any]])?.first?["ticket_id"] as? String)
                _ = try await server.decidedTicket(id)
                #expect(crm.requests.filter { $0.method == "GET" && $0.path.contains("/tickets/7402") }.count == 1, "a 404 is not tried again")
                let logged = try #require(logs.entries.first { "\($0.message)".hasPrefix("Could not read the ticket from its platform; deciding") })
                #expect("\(logged.metadata["reason"] ?? "")".contains("HTTP 404"))
            }
        }
    }

    @Test("the signature covers the URL HubSpot called and the timestamp: another URL, or a delivery signed 10 minutes ago, is refused")
    func urlAndTimestampAreSigned() async throws {
        var setup = ServerSetup()
        setup.extraAdapters = Self.adapter(baseURL: "http://127.0.0.1:9")
        try await withServer(setup) { server in
            let body = #"[{"eventId":601,"subscriptionType":"ticket.creation","objectId":7101}]"#
            let elsewhere = try await server.post(
                "/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body, url: "https://other.example.com/webhooks/hubspot"))
            #expect(elsewhere.status == 401)
            let stale = try await server.post(
                "/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body, at: Date().addingTimeInterval(-600)))
            #expect(stale.status == 401)
            #expect(try await server.queueDepth() == 0)
        }
    }
}
