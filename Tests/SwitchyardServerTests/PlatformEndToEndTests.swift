import Crypto
import Foundation
import Synchronization
import SwitchyardTestSupport
import SwitchyardWebhooks
import Testing

/// Platforms end to end over real sockets: ServiceNow's OAuth token endpoint and Table API,
/// Front's set-up challenge, and a Jira issue whose update changes its text (decided again)
/// or only echoes our write-back (never decided again).
@Suite struct PlatformEndToEndTests {
    static let departments = [
        "cards", "payments_transfers", "topups_cash_atm", "fees_fx", "disputes_refunds", "fraud_security",
        "identity_verification", "account_management",
    ]

    /// Targets for every department: `prefix` + its index.
    static func targets(_ prefix: String) -> String {
        departments.enumerated().map { "          \($0.element): \"\(prefix)\($0.offset)\"" }.joined(separator: "\n")
    }

    @Test("ServiceNow: a token from oauth_token.do (client credentials, form-encoded), reused; a 401 fetches a new one and the PATCH goes through; a 429 waits its Retry-After")
    func serviceNowOAuth() async throws {
        let tokensIssued = Atomic(0)
        let patches = Atomic(0)
        try await ScriptedHTTPServer.withServer(handler: { request, _ in
            if request.path == "/oauth_token.do" {
                let number = tokensIssued.add(1, ordering: .relaxed).newValue
                return ScriptedResponse(body: #"{"access_token":"sn-token-\#(number)","token_type":"Bearer","expires_in":1799,"scope":"useraccount"}"#)
            }
            switch patches.add(1, ordering: .relaxed).newValue {
            case 1:
                // ServiceNow's answer to a token it no longer accepts.
                return ScriptedResponse(status: .unauthorized, body: #"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#)
            case 2:
                var headers = ScriptedResponse().headers
                headers[.retryAfter] = "0"
                return ScriptedResponse(
                    status: .tooManyRequests, headers: headers,
                    body: #"{"error":{"message":"Rate limit exceeded","detail":"Rate limit of 100 requests per hour for Table API exceeded"},"status":"failure"}"#)
            default:
                return ScriptedResponse(body: #"{"result":{"sys_id":"ef43c6d40a0a0b5700c77f9bf387afe3"}}"#)
            }
        }) { instance in
            var setup = ServerSetup()
            setup.writeBackMaxAttempts = 5
            setup.extraAdapters = """
                  servicenow:
                    secret: "switchyard:sn-webhook-password"
                    settings: { base_url: "\(instance.baseURL)" }
                    auth:
                      type: oauth2
                      token_url: "\(instance.baseURL)/oauth_token.do"
                      client_id: switchyard-client
                      client_secret: "s3cret&=+ value"
                    targets:
                \(Self.targets("group-"))
                """
            try await withServer(setup) { server in
                let body = String(decoding: try Data(contentsOf: packageRoot.appendingPathComponent("Samples/webhooks/servicenow/incident-created.json")), as: UTF8.self)
                let basic = "Basic " + Data("switchyard:sn-webhook-password".utf8).base64EncodedString()
                let unauthenticated = try await server.post("/webhooks/servicenow", json: body)
                #expect(unauthenticated.status == 401)
                let reply = try await server.post("/webhooks/servicenow", json: body, headers: ["Authorization": basic])
                #expect(reply.status == 202)
                let ticketID = try #require(reply.json["ticket_id"] as? String)
                let delivered = try await eventually("the write-back delivered") {
                    let ticket = try await server.get("/v1/tickets/\(ticketID)").json
                    let writeBacks = ticket["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first?["status"] as? String == "delivered" ? writeBacks[0] : nil
                }
                #expect(delivered["attempts"] as? Int == 2, "the 401 was answered with a new token in the same attempt; the 429 cost one")

                let tokenRequests = instance.requests.filter { $0.path == "/oauth_token.do" }
                #expect(tokenRequests.count == 2, "one token, then one more after the 401; the 429's retry reused it")
                let form = String(decoding: try #require(tokenRequests.first).body, as: UTF8.self)
                #expect(form == "grant_type=client_credentials&client_id=switchyard-client&client_secret=s3cret%26%3D%2B%20value")
                #expect(tokenRequests.first?.headers[.contentType] == "application/x-www-form-urlencoded")

                let tableCalls = instance.requests.filter { $0.path != "/oauth_token.do" }
                #expect(tableCalls.map(\.headers[.authorization]) == ["Bearer sn-token-1", "Bearer sn-token-2", "Bearer sn-token-2"])
                #expect(tableCalls.allSatisfy { $0.method == "PATCH" && $0.path == "/api/now/table/incident/ef43c6d40a0a0b5700c77f9bf387afe3" })
                let fields = try #require(try tableCalls.last?.json())
                #expect((fields["assignment_group"] as? String)?.hasPrefix("group-") == true)
                #expect((fields["work_notes"] as? String)?.hasPrefix("Switchyard routed this ticket to ") == true)
            }
        }
    }

    @Test("ServiceNow: a token endpoint refusing the client makes a dead letter that says so, without the secret")
    func serviceNowRefusedClient() async throws {
        try await ScriptedHTTPServer.withServer(handler: { request, _ in
            request.path == "/oauth_token.do"
                ? ScriptedResponse(status: .unauthorized, body: #"{"error_description":"access_denied","error":"server_error"}"#)
                : ScriptedResponse(body: "{}")
        }) { instance in
            var setup = ServerSetup()
            setup.extraAdapters = """
                  servicenow:
                    secret: "switchyard:sn-webhook-password"
                    settings: { base_url: "\(instance.baseURL)" }
                    auth: { type: oauth2, token_url: "\(instance.baseURL)/oauth_token.do", client_id: c, client_secret: hunter2-secret }
                    targets:
                \(Self.targets("group-"))
                """
            try await withServer(setup) { server in
                let body = String(decoding: try Data(contentsOf: packageRoot.appendingPathComponent("Samples/webhooks/servicenow/incident-created.json")), as: UTF8.self)
                let reply = try await server.post(
                    "/webhooks/servicenow", json: body,
                    headers: ["Authorization": "Basic " + Data("switchyard:sn-webhook-password".utf8).base64EncodedString()])
                let ticketID = try #require(reply.json["ticket_id"] as? String)
                let dead = try await eventually("a dead letter") {
                    let writeBacks = try await server.get("/v1/tickets/\(ticketID)").json["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first?["status"] as? String == "dead" ? writeBacks[0] : nil
                }
                let error = try #require(dead["last_error"] as? String)
                #expect(error.contains("OAuth token request to 127.0.0.1 refused: HTTP 401: server_error (access_denied)"))
                #expect(!error.contains("hunter2"))
                #expect(instance.requests.allSatisfy { $0.path == "/oauth_token.do" }, "nothing was sent without a token")
            }
        }
    }

    @Test("Front: the set-up request's challenge is echoed once signed; unsigned it is refused")
    func frontChallenge() async throws {
        var setup = ServerSetup()
        setup.extraAdapters = """
              front:
                secret: front-app-signing-secret
                settings: { base_url: "http://127.0.0.1:9" }
                targets:
            \(Self.targets("inb_"))
            """
        try await withServer(setup) { server in
            let body = #"{"type":"sync","authorization":{"id":"cmp_2f9k3"}}"#
            let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data((timestamp + ":" + body).utf8), using: SymmetricKey(data: Data("front-app-signing-secret".utf8)))
            let headers = [
                "X-Front-Signature": Data(mac).base64EncodedString(), "X-Front-Request-Timestamp": timestamp,
                "X-Front-Challenge": "c8a3f1e0",
            ]
            let reply = try await server.post("/webhooks/front", json: body, headers: headers)
            #expect(reply.status == 200)
            #expect(reply.text == #"{"challenge":"c8a3f1e0"}"#)
            let forged = try await server.post("/webhooks/front", json: body, headers: ["X-Front-Challenge": "c8a3f1e0"])
            #expect(forged.status == 401)
            #expect(try await server.queueDepth() == 0)
        }
    }

    @Test("Jira: an edited description is decided again (a label for the new department); our label's echo is acknowledged and never decided or written again")
    func updatesAndEchoes() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(status: .noContent, body: "") }) { jira in
            var setup = ServerSetup()
            setup.extraAdapters = """
                  jira:
                    secret: jira-webhook-secret
                    settings: { base_url: "\(jira.baseURL)" }
                    targets:
                \(Self.targets("team-"))
                """
            try await withServer(setup) { server in
                func send(_ event: String, description: String, labels: [String]) async throws -> ServerHarness.Reply {
                    let issue: [String: Any] = [
                        "webhookEvent": event,
                        "issue": [
                            "id": "10042", "key": "HELP-42",
                            "fields": ["summary": "Card problem", "description": description, "labels": labels],
                        ],
                    ]
                    let body = String(decoding: try JSONSerialization.data(withJSONObject: issue, options: [.sortedKeys]), as: UTF8.self)
                    let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data("jira-webhook-secret".utf8)))
                    return try await server.post(
                        "/webhooks/jira", json: body, headers: ["X-Hub-Signature": "sha256=" + Data(mac).map { String(format: "%02x", $0) }.joined()])
                }
                let created = try await send("jira:issue_created", description: "I lost my card on the train, somebody stole it", labels: [])
                #expect(created.status == 202)
                let ticketID = try #require(created.json["ticket_id"] as? String)
                let first = try await server.decidedTicket(ticketID)
                #expect((first["decision"] as? [String: Any])?["department"] as? String == "fraud_security")
                // Jira's write-back is two calls (the labels, the comment), each its own outbox entry.
                let firstCalls = 2
                try await eventually("the first write-back's two calls") { jira.requests.count >= firstCalls ? true : nil }

                // Our own label coming back: the same text.
                let echo = try await send("jira:issue_updated", description: "I lost my card on the train, somebody stole it", labels: ["team-5"])
                #expect(echo.status == 200)
                #expect(echo.json["status"] as? String == "ignored")
                #expect((echo.json["reason"] as? String)?.contains("without changing its text") == true)

                // The reporter rewrites the description.
                let edited = try await send("jira:issue_updated", description: "Please refund the transfer I sent twice", labels: ["team-5"])
                #expect(edited.status == 202)
                #expect(edited.json["ticket_id"] as? String == ticketID)
                let second = try await eventually("decided again") {
                    let ticket = try await server.get("/v1/tickets/\(ticketID)").json
                    return (ticket["decisions"] as? [[String: Any]])?.count == 2 ? ticket : nil
                }
                #expect((second["ticket"] as? [String: Any])?["body"] as? String == "Please refund the transfer I sent twice")
                let department = (second["decision"] as? [String: Any])?["department"] as? String
                #expect(department != "fraud_security")
                try await eventually("the second write-back's two calls") {
                    jira.requests.count >= firstCalls * 2 ? true : nil
                }
                #expect(jira.requests.count == firstCalls * 2, "one more set of calls, for the new decision only")
                #expect((second["decisions"] as? [[String: Any]])?.count == 2, "the echo added no decision")
            }
        }
    }

    /// A platform no release knows, written as one adapter file in a test.
    static let acmeDesk = """
        name: acme-desk
        description: Acme Desk cases (a platform added as a file only, in a test).
        signature:
          scheme: hmac
          algorithm: sha256
          header: X-Acme-Signature
          signed: "${timestamp}.${body}"
          encoding: hex
          prefix: "v1="
          timestamp: {header: X-Acme-Timestamp, format: seconds, window: 5m}
        idempotency:
          - path: $.delivery_id
        events:
          type: $.event
          new: [case.opened]
          update: [case.updated]
        mapping:
          external_id: $.case.ref
          subject: $.case.title
          body: $.case.message_html
          requester_email: $.case.customer.email
          tags: $.case.labels
        write_back:
          - method: PATCH
            url: "${settings.base_url}/v2/cases/${ticket.external_id}"
            priorities: {low: P4, normal: P3, high: P2, urgent: P1}
            body:
              queue: "${target}"
              priority: "${platform.priority?}"
              labels: "${merged_tags}"
          - method: POST
            url: "${settings.base_url}/v2/cases/${ticket.external_id}/notes"
            body: {internal: true, text: "${decision.explanation}"}
        """

    @Test("a platform added as one adapter file works end to end: signed case in, decided, written back byte for byte; its echo ignored, an edit decided again")
    func platformAddedAsAFile() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(body: #"{"ok":true}"#) }) { acme in
            var setup = ServerSetup()
            setup.extraAdapterFiles = ["acme-desk.yaml": Self.acmeDesk]
            setup.extraAdapters = """
                  acme-desk:
                    secret: acme-signing-secret
                    settings: { base_url: "\(acme.baseURL)" }
                    auth: { type: bearer, token: acme-api-token }
                    targets:
                \(Self.targets("queue-"))
                """
            let adapter = try Adapter(yaml: Self.acmeDesk, file: "acme-desk.yaml")
            try await withServer(setup) { server in
                func send(_ event: String, delivery: String, message: String) async throws -> ServerHarness.Reply {
                    let body = #"{"event":"\#(event)","delivery_id":"\#(delivery)","case":{"ref":"AC-1009","title":"Help","#
                        + #""message_html":"<p>\#(message)</p><p>-- <br>Sent from my phone</p>","customer":{"email":"kim@example.com"},"labels":["web"]}}"#
                    let delivery = WebhookDelivery(url: "", headers: [:], body: Array(body.utf8))
                    var headers: [String: String] = [:]
                    for field in try adapter.signingHeaders(for: delivery, secret: "acme-signing-secret", now: Date()) {
                        headers[field.name.rawName] = field.value
                    }
                    #expect(headers["X-Acme-Signature"]?.hasPrefix("v1=") == true)
                    return try await server.post("/webhooks/acme-desk", json: body, headers: headers)
                }
                let unsigned = try await server.post("/webhooks/acme-desk", json: #"{"event":"case.opened"}"#)
                #expect(unsigned.status == 401)

                let opened = try await send("case.opened", delivery: "d-1", message: "I lost my card yesterday")
                #expect(opened.status == 202)
                let id = try #require(opened.json["ticket_id"] as? String)
                let calls = try await eventually("both write-back calls") { acme.requests.count == 2 ? acme.requests : nil }
                let patch = try #require(calls.first { $0.method == "PATCH" })
                #expect(patch.path == "/v2/cases/AC-1009")
                #expect(String(decoding: patch.body, as: UTF8.self) == #"{"labels":["web","lost-or-stolen-card"],"priority":"P1","queue":"queue-5"}"#)
                #expect(patch.headers[.authorization] == "Bearer acme-api-token")
                #expect(patch.headers[.contentType] == "application/json")
                let note = try #require(calls.first { $0.method == "POST" })
                #expect(note.path == "/v2/cases/AC-1009/notes")
                let noteJSON = try note.json()
                #expect(noteJSON["internal"] as? Bool == true)
                #expect((noteJSON["text"] as? String)?.contains("lost-or-stolen-card") == true)

                let stored = try await server.get("/v1/tickets/\(id)").json["ticket"] as? [String: Any]
                #expect(stored?["body"] as? String == "I lost my card yesterday", "HTML and the signature cleaned")

                let echo = try await send("case.updated", delivery: "d-2", message: "I lost my card yesterday")
                #expect(echo.status == 200 && echo.json["status"] as? String == "ignored")
                let edited = try await send("case.updated", delivery: "d-3", message: "Actually I need to change my address")
                #expect(edited.status == 202 && edited.json["ticket_id"] as? String == id)
                try await eventually("decided again") {
                    let decisions = try await server.get("/v1/tickets/\(id)").json["decisions"] as? [[String: Any]] ?? []
                    return decisions.count == 2 ? true : nil
                }
            }
        }
    }
}
