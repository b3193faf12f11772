import Crypto
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
                #expect(events.map { $0["status"] as? String } == ["queued", "ignored", "queued"])
                #expect((events[1]["reason"] as? String)?.contains("updates ticket 7001") == true)

                let again = try await server.post("/webhooks/hubspot", json: body, headers: Self.signedHeaders(body: body))
                #expect(again.status == 200, "a retried delivery queues nothing new")
                #expect((again.json["events"] as? [[String: Any]])?.map { $0["status"] as? String } == ["duplicate", "ignored", "duplicate"])

                let patched = try await eventually("both tickets written back") {
                    crm.requests.count >= 2 ? crm.requests : nil
                }
                #expect(Set(patched.map(\.path)) == ["/crm/v3/objects/tickets/7001", "/crm/v3/objects/tickets/7002"])
                #expect(patched.allSatisfy { $0.method == "PATCH" })
                #expect(patched.allSatisfy { $0.headers[.authorization] == "Bearer hubspot-private-app-token" })
                let properties = try #require(try patched[0].json()["properties"] as? [String: any Sendable])
                #expect((properties["hubspot_owner_id"] as? String)?.hasPrefix("900") == true)
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
