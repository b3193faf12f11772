import Foundation
import HTTPTypes
import Synchronization
import SwitchyardTestSupport
import Testing

/// A signed Zendesk webhook goes in; the decision comes out at Zendesk's API.
@Suite struct ZendeskEndToEndTests {
    static func payload(ticketID: String = "35436", eventID: String = "cbe4028c-7239-495d-b020-f22348516046", subject: String, description: String) -> String {
        """
        {"account_id":22129848,"detail":{"actor_id":"8447388090494","assignee_id":null,"brand_id":"8447346621310",\
        "created_at":"2026-11-23T10:12:07Z","custom_status":"8447388044286","description":\(json(description)),\
        "external_id":null,"form_id":"8646151517822","group_id":null,"id":"\(ticketID)","is_public":true,\
        "organization_id":null,"priority":null,"requester_id":"8447388090494","status":"NEW","subject":\(json(subject)),\
        "submitter_id":"8447388090494","tags":["vip"],"type":null,"updated_at":"2026-11-23T10:12:07Z",\
        "via":{"channel":"web_form"}},"event":{},"id":"\(eventID)","subject":"zen:ticket:\(ticketID)",\
        "time":"2026-11-23T10:12:07.672717030Z","type":"zen:event-type:ticket.created","zendesk_event_version":"2022-11-06"}
        """
    }

    static func json(_ string: String) -> String {
        String(decoding: try! JSONEncoder().encode(string), as: UTF8.self)
    }

    /// Headers Zendesk would send for `body`, signed at `time` (now: inside the replay window).
    static func signedHeaders(
        body: String, secret: String = ServerSetup.zendeskSecret, at time: Date = Date()
    ) -> [String: String] {
        let timestamp = ISO8601DateFormatter().string(from: time)
        return [
            "X-Zendesk-Webhook-Signature": ServerHarness.zendeskSignature(body: body, timestamp: timestamp, secret: secret),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        ]
    }

    @Test("a signed webhook is decided by a rule and written back to Zendesk with group, priority and tags")
    func signedWebhookIsWrittenBack() async throws {
        try await ScriptedHTTPServer.withServer(handler: { request, _ in
            ScriptedResponse(body: #"{"ticket":{"id":35436}}"#)
        }) { zendesk in
            var setup = ServerSetup()
            setup.zendeskBaseURL = zendesk.baseURL
            try await withServer(setup) { server in
                let body = Self.payload(subject: "Stolen card", description: "Someone stole my card on the train this morning.")
                let reply = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                #expect(reply.status == 202)
                #expect(reply.json["status"] as? String == "queued")
                let ticketID = try #require(reply.json["ticket_id"] as? String)

                let request = try await eventually("write-back received") { zendesk.requests.first }
                #expect(request.method == "PUT")
                #expect(request.path == "/api/v2/tickets/35436.json")
                let expectedAuth = "Basic " + Data("agent@example.com/token:zendesk-token".utf8).base64EncodedString()
                #expect(request.headers[HTTPField.Name("Authorization")!] == expectedAuth)
                let ticket = try #require(try request.json()["ticket"] as? [String: Any])
                #expect((ticket["group_id"] as? NSNumber)?.intValue == 106)
                #expect(ticket["priority"] as? String == "urgent")
                let tags = (ticket["tags"] as? [String]) ?? (ticket["additional_tags"] as? [String]) ?? []
                #expect(tags.contains("lost-or-stolen-card"))

                let document = try await eventually("write-back delivered") {
                    let json = try await server.get("/v1/tickets/\(ticketID)").json
                    let writeBacks = json["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first?["status"] as? String == "delivered" ? json : nil
                }
                let decision = try #require(document["decision"] as? [String: Any])
                let provenance = try #require(decision["provenance"] as? [String: Any])
                #expect(decision["department"] as? String == "fraud_security")
                #expect(provenance["stage"] as? String == "rule")
                #expect(provenance["decided_by"] as? String == "lost-or-stolen-card")
                #expect((provenance["ruleset_version"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("a 2xx answer carrying the whole updated ticket (tens of kilobytes, as Zendesk sends) is a delivered write-back")
    func largeSuccessAnswer() async throws {
        // Zendesk answers a ticket update with the ticket and its audit; long tickets make that
        // far more than the 4 KB of an error body Switchyard keeps.
        let audit = (1...300).map { #"{"id":\#($0),"type":"Change","field_name":"tags","value":["lost-or-stolen-card"]}"# }.joined(separator: ",")
        try await ScriptedHTTPServer.withServer(handler: { _, _ in
            ScriptedResponse(body: #"{"ticket":{"id":35436},"audit":{"events":[\#(audit)]}}"#)
        }) { zendesk in
            var setup = ServerSetup()
            setup.zendeskBaseURL = zendesk.baseURL
            try await withServer(setup) { server in
                let body = Self.payload(subject: "Stolen card", description: "my card was stolen")
                let reply = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                let id = try #require(reply.json["ticket_id"] as? String)
                let entry = try await eventually("the write-back settled") {
                    let writeBacks = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first.flatMap { ($0["status"] as? String) == "pending" ? nil : $0 }
                }
                #expect(entry["status"] as? String == "delivered", "\(entry)")
                #expect(entry["attempts"] as? Int == 1)
            }
        }
    }

    @Test("a repeated delivery answers 200 with the same id and is written back once")
    func repeatedDeliveryIsNotProcessedTwice() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse() }) { zendesk in
            var setup = ServerSetup()
            setup.zendeskBaseURL = zendesk.baseURL
            try await withServer(setup) { server in
                let body = Self.payload(subject: "Lost card", description: "I lost my card, please block it")
                let first = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                let second = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                #expect(first.status == 202)
                #expect(second.status == 200)
                #expect(second.json["status"] as? String == "duplicate")
                #expect(first.json["ticket_id"] as? String == second.json["ticket_id"] as? String)
                let id = try #require(first.json["ticket_id"] as? String)
                _ = try await eventually("write-back delivered") {
                    let writeBacks = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first?["status"] as? String == "delivered" ? true : nil
                }
                let third = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                #expect(third.status == 200)
                #expect(zendesk.requests.count == 1)
                let all = try await server.get("/v1/write-backs").json["write_backs"] as? [[String: Any]] ?? []
                #expect(all.count == 1)
            }
        }
    }

    @Test("Zendesk rate limiting is retried after Retry-After; a permanent error becomes a dead letter, sent again once fixed")
    func writeBackRetriesAndDeadLetters() async throws {
        // Until the "group" exists, Zendesk answers 404 for ticket 404404.
        let fixed = Mutex(false)
        try await ScriptedHTTPServer.withServer(handler: { request, index in
            if request.path.contains("/404404.json"), !fixed.withLock({ $0 }) {
                return ScriptedResponse(status: .notFound, body: #"{"error":"RecordNotFound","description":"Not found"}"#)
            }
            if index == 0 {
                return ScriptedResponse(
                    status: .tooManyRequests, headers: [.contentType: "application/json", .retryAfter: "0"],
                    body: #"{"error":"APIRateLimitExceeded"}"#)
            }
            return ScriptedResponse(body: #"{"ticket":{}}"#)
        }) { zendesk in
            var setup = ServerSetup()
            setup.zendeskBaseURL = zendesk.baseURL
            try await withServer(setup) { server in
                let body = Self.payload(subject: "Stolen card", description: "my card was stolen")
                let reply = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                let id = try #require(reply.json["ticket_id"] as? String)
                let writeBack = try await eventually("delivered after a retry") {
                    let writeBacks = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                    return writeBacks.first.flatMap { $0["status"] as? String == "delivered" ? $0 : nil }
                }
                #expect(writeBack["attempts"] as? Int == 2)
                #expect(zendesk.requests.count == 2)

                let missing = Self.payload(ticketID: "404404", eventID: "evt-404", subject: "Stolen card", description: "stolen card")
                _ = try await server.post("/webhooks/zendesk", json: missing, headers: Self.signedHeaders(body: missing))
                let dead = try await eventually("dead letter listed") {
                    let list = try await server.get("/v1/write-backs?status=dead").json["write_backs"] as? [[String: Any]] ?? []
                    return list.first
                }
                #expect((dead["last_error"] as? String)?.contains("HTTP 404") == true)
                #expect((dead["last_error"] as? String)?.contains("RecordNotFound") == true, "the platform's error body is kept")
                #expect(dead["last_response_status"] as? Int == 404)
                #expect(dead["attempts"] as? Int == 1)

                fixed.withLock { $0 = true }
                let deadID = try #require(dead["id"] as? Int)
                let retried = try await server.post("/v1/write-backs/\(deadID)/retry", json: "")
                #expect(retried.status == 200, "\(retried.text)")
                #expect(retried.json["status"] as? String == "pending" && retried.json["attempts"] as? Int == 0)
                _ = try await eventually("the retried dead letter delivered") {
                    let list = try await server.get("/v1/write-backs?status=delivered").json["write_backs"] as? [[String: Any]] ?? []
                    return list.first { $0["id"] as? Int == deadID }
                }
                let again = try await server.post("/v1/write-backs/\(deadID)/retry", json: "")
                #expect(again.status == 409)
                #expect((try await server.post("/v1/write-backs/99999/retry", json: "")).status == 404)
            }
        }
    }

    @Test("a redirect from the platform is a dead letter at once: never followed, so credentials and ticket data stay put")
    func redirectIsNotFollowed() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(body: "{}") }) { elsewhere in
            try await ScriptedHTTPServer.withServer(handler: { _, _ in
                ScriptedResponse(status: .found, headers: [.location: elsewhere.baseURL + "/collect"], body: "")
            }) { zendesk in
                var setup = ServerSetup()
                setup.zendeskBaseURL = zendesk.baseURL
                try await withServer(setup) { server in
                    let body = Self.payload(subject: "Stolen card", description: "my card was stolen")
                    _ = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
                    let dead = try await eventually("dead letter listed") {
                        let list = try await server.get("/v1/write-backs?status=dead").json["write_backs"] as? [[String: Any]] ?? []
                        return list.first
                    }
                    #expect(dead["last_response_status"] as? Int == 302)
                    #expect((dead["last_error"] as? String)?.contains("redirects to 127.0.0.1; redirects are not followed") == true, "\(dead)")
                    #expect(dead["attempts"] as? Int == 1)
                    #expect(zendesk.requests.count == 1)
                    #expect(elsewhere.requests.isEmpty, "nothing reached the redirect's target")
                }
            }
        }
    }

    @Test("a Zendesk that does not answer holds only its own slots (concurrency: 2): another platform's write-back goes out meanwhile")
    func slowPlatformHoldsOnlyItsOwnLane() async throws {
        let hung = Gate()
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(body: "{}") }) { callback in
            try await ScriptedHTTPServer.withServer(handler: { _, _ in
                await hung.wait()
                return ScriptedResponse(body: #"{"ticket":{}}"#)
            }) { zendesk in
                var setup = ServerSetup()
                setup.zendeskBaseURL = zendesk.baseURL
                setup.zendeskConcurrency = 2
                setup.writeBackTimeout = "60s"
                setup.genericCallbackURL = callback.baseURL + "/decisions"
                try await withServer(setup) { server in
                    defer { hung.open() }
                    for number in 1...3 {
                        let body = Self.payload(
                            ticketID: "\(900 + number)", eventID: "event-\(number)", subject: "Stolen card", description: "my card was stolen")
                        #expect(try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body)).status == 202)
                    }
                    try await eventually("both Zendesk slots taken by calls that hang") { zendesk.requests.count == 2 ? true : nil }

                    let reply = try await server.post("/webhooks/generic", json: #"{"id": "G-1", "body": "I lost my card"}"#)
                    let id = try #require(reply.json["ticket_id"] as? String)
                    try await eventually("the generic callback delivered") {
                        let writeBacks = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                        return writeBacks.first?["status"] as? String == "delivered" ? true : nil
                    }
                    #expect(callback.requests.count == 1)
                    #expect(zendesk.requests.count == 2, "the third Zendesk write-back waits for one of Zendesk's own slots")
                }
            }
        }
    }

    @Test("a platform that refuses connections is retried, and the failure reads plainly")
    func refusedConnectionReadsPlainly() async throws {
        // A port that was just free: nothing listens there.
        let closedPort = try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse() }) { $0.baseURL }
        var setup = ServerSetup()
        setup.zendeskBaseURL = closedPort
        try await withServer(setup) { server in
            let body = Self.payload(subject: "Stolen card", description: "my card was stolen")
            let reply = try await server.post("/webhooks/zendesk", json: body, headers: Self.signedHeaders(body: body))
            let id = try #require(reply.json["ticket_id"] as? String)
            let failed = try await eventually("a failed attempt recorded") {
                let writeBacks = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                return writeBacks.first.flatMap { ($0["attempts"] as? Int ?? 0) >= 1 ? $0 : nil }
            }
            #expect(failed["last_error"] as? String == "connection refused", "\(failed)")
            #expect(failed["last_response_status"] is NSNull || failed["last_response_status"] == nil)
        }
    }
}
