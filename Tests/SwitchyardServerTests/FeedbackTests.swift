import Foundation
import SwitchyardTestSupport
import Testing

@Suite struct FeedbackTests {
    @Test("a thumbs down with the right department is stored and shown with the ticket")
    func feedbackIsStored() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/generic", json: #"{"id": "F-1", "body": "I lost my card yesterday"}"#)
            let id = try #require(reply.json["ticket_id"] as? String)
            let decided = try await server.decidedTicket(id)
            let recorded = try await server.post(
                "/v1/tickets/\(id)/feedback", json: #"{"verdict": "down", "department": "cards", "agent": "maria"}"#)
            #expect(recorded.status == 201)
            let document = try await server.get("/v1/tickets/\(id)").json
            let feedback = try #require((document["feedback"] as? [[String: Any]])?.first)
            #expect(feedback["decision_id"] as? Int == decided["decision_id"] as? Int, "the decision it judged")
            #expect((document["decisions"] as? [[String: Any]])?.count == 1)
            #expect(feedback["verdict"] as? String == "down")
            #expect(feedback["department"] as? String == "cards")
            #expect(feedback["agent"] as? String == "maria")
        }
    }

    @Test("bad feedback is refused with the field that is wrong or where the JSON breaks; unknown tickets are 404")
    func badFeedback() async throws {
        try await withServer { server in
            let reply = try await server.post("/webhooks/generic", json: #"{"id": "F-2", "body": "hello"}"#)
            let id = try #require(reply.json["ticket_id"] as? String)
            let verdict = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "sideways"}"#)
            #expect(verdict.status == 400)
            #expect((verdict.json["error"] as? [String: Any])?["path"] as? String == "$.verdict")
            let department = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "down", "department": "billing"}"#)
            #expect(department.status == 400)
            #expect((department.json["error"] as? [String: Any])?["path"] as? String == "$.department")
            let noVerdict = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"agent": "maria"}"#)
            #expect(noVerdict.status == 400)
            #expect((noVerdict.json["error"] as? [String: Any])?["code"] as? String == "invalid_payload")
            #expect((noVerdict.json["error"] as? [String: Any])?["path"] as? String == "$.verdict")
            let broken = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": up}"#)
            #expect(broken.status == 400)
            #expect((broken.json["error"] as? [String: Any])?["code"] as? String == "malformed_json")
            let message = (broken.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("line 1, column 13"), "\(message)")
            let missing = try await server.post("/v1/tickets/tkt_missing/feedback", json: #"{"verdict": "up"}"#)
            #expect(missing.status == 404)
            let notFound = try await server.get("/v1/tickets/tkt_missing")
            #expect(notFound.status == 404)
            #expect((notFound.json["error"] as? [String: Any])?["code"] as? String == "ticket_not_found")
        }
    }

    @Test("the generic adapter posts the decision to the configured callback URL")
    func genericCallback() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(status: .noContent, body: "") }) { callback in
            var setup = ServerSetup()
            setup.genericCallbackURL = callback.baseURL + "/hooks/decisions"
            try await withServer(setup) { server in
                _ = try await server.post("/webhooks/generic", json: #"{"id": "C-1", "body": "I lost my card yesterday"}"#)
                let request = try await eventually("callback received") { callback.requests.first }
                #expect(request.method == "POST")
                #expect(request.path == "/hooks/decisions")
                let json = try request.json()
                #expect(json["ticket_id"] as? String == "C-1")
                #expect((json["decision"] as? [String: Any])?["department"] as? String == "fraud_security")
            }
        }
    }

    @Test("a rule's captured fields and tags reach the stored decision, its trace and the generic write-back")
    func capturedFieldsAreWrittenBack() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(status: .noContent, body: "") }) { callback in
            var setup = ServerSetup()
            setup.genericCallbackURL = callback.baseURL + "/hooks/decisions"
            setup.rules["05-orders.yaml"] = """
                rules:
                  - id: order-number
                    decide: false
                    when: { field: text, matches: '(?i)\\bORD-(?<order>\\d{6})\\b' }
                    then: { tags: ["order-${order}"], fields: { order_id: "${order}" } }
                """
            try await withServer(setup) { server in
                let reply = try await server.post(
                    "/webhooks/generic", json: #"{"id": "C-2", "subject": "Where is ORD-123456?", "body": "I lost my card yesterday"}"#)
                let id = try #require(reply.json["ticket_id"] as? String)
                let request = try await eventually("callback received") { callback.requests.first }
                let sent = try #require(try request.json()["decision"] as? [String: Any])
                #expect(sent["fields"] as? [String: String] == ["order_id": "123456"])
                #expect((sent["tags"] as? [String])?.contains("order-123456") == true)

                let document = try await server.decidedTicket(id)
                let decision = try #require(document["decision"] as? [String: Any])
                #expect(decision["fields"] as? [String: String] == ["order_id": "123456"])
                let trace = try #require((decision["provenance"] as? [String: Any])?["trace"] as? [String: Any])
                let steps = try #require(trace["steps"] as? [[String: Any]])
                let annotation = try #require(steps.first { $0["rule_id"] as? String == "order-number" })
                #expect(annotation["kind"] as? String == "annotating")
                #expect(annotation["matched"] as? Bool == true)
                let test = try #require((annotation["tests"] as? [[String: Any]])?.first)
                let span = try #require((test["spans"] as? [[String: Any]])?.first)
                #expect(span["start"] as? Int == 9, "ORD-123456 in the subject, the first part of text")
                #expect(span["end"] as? Int == 19)
            }
        }
    }
}
