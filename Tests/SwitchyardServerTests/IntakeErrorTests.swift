import Foundation
import SwitchyardTestSupport
import Testing

/// Bad input gets a clear error, with the status the platform expects, and stores nothing.
@Suite struct IntakeErrorTests {
    func error(_ reply: ServerHarness.Reply) -> [String: Any] {
        reply.json["error"] as? [String: Any] ?? [:]
    }

    @Test("malformed JSON is a 400 that says it is not JSON")
    func malformedJSON() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/generic", json: #"{"id": "1", "subject": "#)
            #expect(reply.status == 400)
            #expect(error(reply)["code"] as? String == "malformed_json")
            #expect((error(reply)["message"] as? String)?.isEmpty == false)
        }
    }

    @Test("a field of the wrong type is a 400 naming its JSON path")
    func wrongFieldType() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/generic", json: #"{"id": "1", "subject": 42}"#)
            #expect(reply.status == 400)
            #expect(error(reply)["code"] as? String == "invalid_payload")
            #expect(error(reply)["path"] as? String == "$.subject")
        }
    }

    @Test("a missing required field is a 400 naming its JSON path")
    func missingField() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/generic", json: #"{"subject": "no id"}"#)
            #expect(reply.status == 400)
            #expect(error(reply)["path"] as? String == "$.id")
        }
    }

    @Test("a wrong or missing Zendesk signature is a 401 and nothing is stored")
    func badSignature() async throws {
        try await withServer { server in
            let body = ZendeskEndToEndTests.payload(subject: "Stolen card", description: "stolen")
            let wrong = try await server.post(
                "/webhooks/zendesk", json: body,
                headers: ZendeskEndToEndTests.signedHeaders(body: body, secret: "not-the-secret"))
            #expect(wrong.status == 401)
            #expect(error(wrong)["code"] as? String == "invalid_signature")

            let unsigned = try await server.post("/webhooks/zendesk", json: body)
            #expect(unsigned.status == 401)
            #expect((error(unsigned)["message"] as? String)?.contains("X-Zendesk-Webhook-Signature") == true)

            var tampered = ZendeskEndToEndTests.signedHeaders(body: body)
            tampered["X-Zendesk-Webhook-Signature-Timestamp"] = ISO8601DateFormatter().string(from: Date().addingTimeInterval(1))
            let retimed = try await server.post("/webhooks/zendesk", json: body, headers: tampered)
            #expect(retimed.status == 401)

            // Correctly signed, but two hours ago: a captured delivery replayed later.
            let stale = try await server.post(
                "/webhooks/zendesk", json: body,
                headers: ZendeskEndToEndTests.signedHeaders(body: body, at: Date().addingTimeInterval(-7200)))
            #expect(stale.status == 401)
            #expect((error(stale)["message"] as? String)?.contains("outside the replay window of 3600 s") == true, "\(stale.json)")

            #expect(try await server.queueDepth() == 0)
        }
    }

    @Test("a Zendesk event the adapter does not take is answered 200 ignored, so Zendesk does not retry it")
    func ignoredEvent() async throws {
        try await withServer { server in
            let body = ZendeskEndToEndTests.payload(subject: "Stolen card", description: "stolen")
                .replacingOccurrences(of: "zen:event-type:ticket.created", with: "zen:event-type:ticket.comment_added")
            let reply = try await server.post("/webhooks/zendesk", json: body, headers: ZendeskEndToEndTests.signedHeaders(body: body))
            #expect(reply.status == 200)
            #expect(reply.json["status"] as? String == "ignored")
            #expect((reply.json["reason"] as? String)?.contains("ticket.comment_added") == true)
            #expect(try await server.queueDepth() == 0)
        }
    }

    @Test("an adapter that is not enabled is a 404 listing the enabled ones")
    func unknownAdapter() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/freshdesk", json: "{}")
            #expect(reply.status == 404)
            #expect(error(reply)["code"] as? String == "unknown_adapter")
            #expect((error(reply)["message"] as? String)?.contains("generic, zendesk") == true)
        }
    }

    @Test("a body over max_body_bytes is a 413")
    func oversizedBody() async throws {
        var setup = ServerSetup()
        setup.maxBodyBytes = 1024
        try await withServer(setup) { server in
            let big = #"{"id": "1", "body": ""# + String(repeating: "a", count: 4096) + #""}"#
            let reply = try await server.post("/webhooks/generic", json: big)
            #expect(reply.status == 413)
            #expect(error(reply)["code"] as? String == "body_too_large")
            #expect((error(reply)["message"] as? String)?.contains("1024") == true)
        }
    }

    @Test("health, readiness and metrics answer; metrics count webhooks and decisions")
    func healthAndMetrics() async throws {
        try await withServer { server in
            #expect(try await server.get("/healthz").json["status"] as? String == "ok")
            #expect(try await server.get("/readyz").status == 200)
            let reply = try await server.post("/webhooks/generic", json: #"{"id": "M-1", "body": "I lost my card yesterday"}"#)
            let id = try #require(reply.json["ticket_id"] as? String)
            _ = try await server.decidedTicket(id)
            let metrics = try await server.get("/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"switchyard_webhooks_total{adapter="generic",outcome="accepted"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"switchyard_decisions_total{stage="rule",department="fraud_security"} 1"#) ||
                    metrics.text.contains(#"switchyard_decisions_total{department="fraud_security",stage="rule"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains("switchyard_queue_depth"))
        }
    }
}
