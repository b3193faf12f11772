import Foundation
import SwitchyardTestSupport
import Testing

/// `server.rate_limit`: one token bucket per caller, for webhooks and `/v1/classify` alike.
@Suite struct RateLimitTests {
    static func webhook(_ id: String) -> String { #"{"id": "\#(id)", "body": "Where is my card?"}"# }

    static func error(_ reply: ServerHarness.Reply) -> [String: Any] { reply.json["error"] as? [String: Any] ?? [:] }

    @Test("an adapter over its burst is answered 429 with Retry-After; other adapters and forged deliveries do not use its budget")
    func webhooksPerAdapter() async throws {
        var setup = ServerSetup()
        setup.serverExtra = "  rate_limit: { per_second: 0.01, burst: 2 }"
        try await withServer(setup) { server in
            for id in ["R-1", "R-2"] {
                #expect(try await server.post("/webhooks/generic", json: Self.webhook(id)).status == 202)
            }
            let refused = try await server.post("/webhooks/generic", json: Self.webhook("R-3"))
            #expect(refused.status == 429)
            #expect(Self.error(refused)["code"] as? String == "rate_limited")
            #expect((Self.error(refused)["message"] as? String)?.contains("webhook:generic") == true, "\(refused.text)")
            let retryAfter = try #require(refused.headers["retry-after"].flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 100)

            // Forged deliveries are refused for their signature and spend nothing of Zendesk's two.
            let body = ZendeskEndToEndTests.payload(subject: "Card", description: "Where is my card?")
            for _ in 0..<3 {
                let forged = try await server.post(
                    "/webhooks/zendesk", json: body, headers: ZendeskEndToEndTests.signedHeaders(body: body, secret: "wrong"))
                #expect(forged.status == 401)
            }
            let signed = try await server.post("/webhooks/zendesk", json: body, headers: ZendeskEndToEndTests.signedHeaders(body: body))
            #expect(signed.status == 202, "\(signed.text)")

            let metrics = try await server.get("/metrics").text
            #expect(metrics.contains(#"switchyard_webhooks_total{adapter="generic",outcome="rate_limited"} 1"#), "\(metrics)")
        }
    }

    @Test("Retry-After is the wait for the next ticket, in whole seconds")
    func retryAfter() async throws {
        var setup = ServerSetup()
        // One ticket every 40 s: no refill while the test runs, however slow the machine.
        setup.serverExtra = "  rate_limit: { per_second: 0.025, burst: 1 }"
        try await withServer(setup) { server in
            #expect(try await server.post("/webhooks/generic", json: Self.webhook("F-1")).status == 202)
            let refused = try await server.post("/webhooks/generic", json: Self.webhook("F-2"))
            #expect(refused.status == 429)
            let seconds = try #require(refused.headers["retry-after"].flatMap(Int.init))
            #expect((1...40).contains(seconds))
        }
    }

    @Test("/v1/classify counts against the same limit, per API token")
    func classifyPerToken() async throws {
        let first = "classify-token-one-0123456789"
        let second = "classify-token-two-0123456789"
        var setup = ServerSetup()
        setup.serverExtra = "  rate_limit: { per_second: 0.01, burst: 2 }"
        setup.access = """
              tokens:
                - { name: ops, role: admin, token: \(first) }
                - { name: batch, role: admin, token: \(second) }
            """
        try await withServer(setup) { server in
            let ticket = #"{"id": "C-1", "body": "I lost my card"}"#
            for _ in 0..<2 {
                #expect(try await server.post("/v1/classify", json: ticket, headers: AccessTests.bearer(first)).status == 200)
            }
            let refused = try await server.post("/v1/classify", json: ticket, headers: AccessTests.bearer(first))
            #expect(refused.status == 429)
            #expect((Self.error(refused)["message"] as? String)?.contains("token:ops") == true, "\(refused.text)")
            #expect(refused.headers["retry-after"] != nil)
            #expect(try await server.post("/v1/classify", json: ticket, headers: AccessTests.bearer(second)).status == 200)
            // The generic adapter has a bucket of its own.
            #expect(try await server.post("/webhooks/generic", json: Self.webhook("C-2")).status == 202)
        }
    }

    @Test("rate_limit: off admits everything")
    func off() async throws {
        var setup = ServerSetup()
        setup.serverExtra = "  rate_limit: off"
        try await withServer(setup) { server in
            for index in 0..<30 {
                let reply = try await server.post("/webhooks/generic", json: Self.webhook("O-\(index)"))
                #expect(reply.status == 202)
            }
        }
    }
}
