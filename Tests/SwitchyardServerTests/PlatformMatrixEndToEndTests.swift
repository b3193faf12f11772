import Foundation
import HTTPTypes
import SwitchyardTestSupport
import SwitchyardWebhooks
import Testing

/// Every shipped platform not walked through in a suite of its own, end to end over real
/// sockets: its sample delivery, signed as the platform signs it, becomes a ticket; the
/// decision's write-back requests reach an in-process fake of the platform's API with the
/// adapter's credentials; the platform's rate-limit answer is waited out and tried again; and
/// the event the platform sends back for our own write-back (its echo) decides nothing again.
///
/// Zendesk, HubSpot, ServiceNow and the generic adapter have suites of their own.
@Suite struct PlatformMatrixEndToEndTests {
    /// One platform: how to configure and sign it, what its API receives, how it says it is
    /// rate-limited, and its echo.
    struct Platform: Sendable, CustomTestStringConvertible {
        var name: String
        /// Under `Samples/webhooks/`.
        var sample: String
        var secret: String
        /// YAML flow mapping entries besides `base_url` (which points at the fake).
        var settings: String = ""
        /// YAML for `auth:`; `BASE` is replaced by the fake's URL.
        var auth: String
        /// Headers the platform sends besides its signature.
        var headers: [String: String] = [:]
        /// The write-back requests the fake receives, as "METHOD /path" (any order: each is its
        /// own outbox entry).
        var expected: [String]
        /// The `Authorization`-like header every write-back carries, and its value.
        var credential: (name: String, value: String)
        /// The platform's answer to the first write-back: its rate limit.
        var rateLimited: @Sendable () -> ScriptedResponse
        /// The delivery the platform sends for our own write-back: the sample changed by
        /// `echo`, with `echoHeaders`.
        var echo: @Sendable (inout [String: Any]) -> Void
        var echoHeaders: [String: String] = [:]

        var testDescription: String { name }
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func rateLimit(_ headers: [String: String], body: String = "") -> ScriptedResponse {
        rateLimit(.tooManyRequests, headers, body: body)
    }

    static func rateLimit(_ status: HTTPResponse.Status, _ headers: [String: String], body: String = "") -> ScriptedResponse {
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return ScriptedResponse(status: status, headers: fields, body: body)
    }

    static let platforms: [Platform] = [
        Platform(
            name: "freshdesk", sample: "freshdesk/ticket-created.json", secret: "fd-token-0123456789",
            auth: "{type: basic, username: fd-api-key, password: X}",
            expected: ["PUT /api/v2/tickets/4711", "POST /api/v2/tickets/4711/notes"],
            credential: ("Authorization", basic("fd-api-key", "X")),
            rateLimited: { rateLimit(["Retry-After": "0"], body: #"{"code":"rate_limit_exceeded"}"#) },
            echo: { $0["event"] = "ticket_updated" }),
        Platform(
            name: "jira", sample: "jira/issue-created.json", secret: "jira-secret",
            auth: "{type: basic, username: bot@example.com, password: jira-api-token}",
            expected: ["PUT /rest/api/3/issue/HELP-42", "POST /rest/servicedeskapi/request/HELP-42/comment"],
            credential: ("Authorization", basic("bot@example.com", "jira-api-token")),
            rateLimited: { rateLimit(["Retry-After": "0", "X-RateLimit-Remaining": "0"]) },
            echo: { $0["webhookEvent"] = "jira:issue_updated" }),
        Platform(
            name: "zammad", sample: "zammad/ticket-created.json", secret: "zm-token",
            auth: "{type: header, name: Authorization, value: \"Token token=zammad-api-token\"}",
            expected: ["PUT /api/v1/tickets/81", "POST /api/v1/tags/add"],
            credential: ("Authorization", "Token token=zammad-api-token"),
            rateLimited: { rateLimit(.serviceUnavailable, [:], body: "<html><body>Zammad is restarting</body></html>") },
            echo: { payload in
                // The internal note our PUT added, as the article of an update trigger.
                var article = payload["article"] as? [String: Any] ?? [:]
                article["type"] = "note"
                article["internal"] = true
                article["body"] = "Switchyard routed this ticket to Cards."
                payload["article"] = article
            }),
        Platform(
            name: "helpscout", sample: "helpscout/convo-created.json", secret: "hs-secret",
            auth: "{type: oauth2, token_url: \"BASE/v2/oauth2/token\", client_id: hs-app-id, client_secret: hs-app-secret}",
            headers: ["X-HelpScout-Event": "convo.created"],
            expected: [
                "POST /v2/oauth2/token", "PATCH /v2/conversations/123", "PUT /v2/conversations/123/tags",
                "POST /v2/conversations/123/notes",
            ],
            credential: ("Authorization", "Bearer hs-access-token"),
            rateLimited: { rateLimit(["X-RateLimit-Retry-After": "0"]) },
            echo: { _ in }, echoHeaders: ["X-HelpScout-Event": "convo.tags"]),
        Platform(
            name: "intercom", sample: "intercom/conversation-user-created.json", secret: "ic-client-secret",
            settings: "admin_id: \"814860\"", auth: "{type: bearer, token: intercom-access-token}",
            expected: ["POST /conversations/503/parts", "POST /conversations/503/reply"],
            credential: ("Authorization", "Bearer intercom-access-token"),
            rateLimited: {
                rateLimit(
                    ["X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Int(Date().timeIntervalSince1970))],
                    body: #"{"type":"error.list","request_id":"000i9mg3b7dm9dr1vb8g","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit of 10000 in 60_seconds"}]}"#)
            },
            echo: { $0["topic"] = "conversation.admin.assigned" }),
        Platform(
            name: "chatwoot", sample: "chatwoot/conversation-created.json", secret: "cw-secret",
            settings: "account_id: \"1\"", auth: "{type: header, name: api_access_token, value: chatwoot-token}",
            expected: [
                "POST /api/v1/accounts/1/conversations/130/assignments", "POST /api/v1/accounts/1/conversations/130/toggle_priority",
                "POST /api/v1/accounts/1/conversations/130/labels", "POST /api/v1/accounts/1/conversations/130/messages",
            ],
            credential: ("api_access_token", "chatwoot-token"),
            rateLimited: { rateLimit(["Retry-After": "0"], body: "Retry later\n") },
            echo: { $0["event"] = "message_created" }),
        Platform(
            name: "github", sample: "github/issues-opened.json", secret: "gh-secret",
            settings: "repository: Codertocat/Hello-World", auth: "{type: bearer, token: github-token}",
            headers: ["X-GitHub-Event": "issues", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"],
            expected: ["POST /repos/Codertocat/Hello-World/issues/1/labels"],
            credential: ("Authorization", "Bearer github-token"),
            rateLimited: {
                // GitHub answers 403 when the rate limit is spent, with the time it resets.
                rateLimit(
                    .forbidden, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Int(Date().timeIntervalSince1970))],
                    body: #"{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}"#)
            },
            echo: { $0["action"] = "labeled" },
            echoHeaders: ["X-GitHub-Event": "issues", "X-GitHub-Delivery": "9c1b2f4e-cc78-11e3-81ab-4c9367dc0958"]),
        Platform(
            name: "front", sample: "front/inbound-received.json", secret: "front-secret",
            auth: "{type: bearer, token: front-api-token}",
            expected: ["PATCH /conversations/cnv_yo1kg5q", "POST /conversations/cnv_yo1kg5q/comments"],
            credential: ("Authorization", "Bearer front-api-token"),
            rateLimited: { rateLimit(["Retry-After": "0"], body: #"{"_error":{"status":429,"title":"Too Many Requests","message":"Rate limit exceeded"}}"#) },
            echo: { payload in
                // The comment we posted comes back as a comment event, which Front adapters ignore.
                payload["type"] = "comment"
                if var inner = payload["payload"] as? [String: Any] {
                    inner["type"] = "comment"
                    payload["payload"] = inner
                }
            }),
        Platform(
            name: "standard-webhooks", sample: "standard-webhooks/ticket-created.json",
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", auth: "{type: bearer, token: callback-token}",
            expected: ["POST /callback"],
            credential: ("Authorization", "Bearer callback-token"),
            rateLimited: { rateLimit(.serviceUnavailable, ["Retry-After": "0"]) },
            echo: { $0["type"] = "ticket.updated" }),
    ]

    /// Every ticket goes to one department with a priority, so that every write-back request
    /// of every platform applies (Chatwoot's priority call is sent only with a priority).
    static let rules = [
        "10-all.yaml": """
        rules:
          - id: everything-to-cards
            when: { field: text, matches: '(?s).' }
            then: { department: cards, priority: high, tags: [switchyard-test] }
        """
    ]

    @Test("sample delivery signed → ticket → write-backs at the platform's API with its credentials, its rate limit waited out; its echo decides nothing", arguments: platforms)
    func endToEnd(platform: Platform) async throws {
        try await ScriptedHTTPServer.withServer(handler: { request, index in
            if request.path == "/v2/oauth2/token" {
                return ScriptedResponse(body: #"{"token_type":"bearer","access_token":"hs-access-token","expires_in":172800}"#)
            }
            let isFirstWriteBack = platform.name == "helpscout" ? index == 1 : index == 0
            return isFirstWriteBack ? platform.rateLimited() : ScriptedResponse(body: #"{"id":1}"#)
        }) { api in
            var setup = ServerSetup()
            setup.rules = Self.rules
            setup.writeBackMaxAttempts = 5
            let settings = platform.name == "standard-webhooks"
                ? "callback_url: \"\(api.baseURL)/callback\""
                : platform.name == "github"
                    ? "api_url: \"\(api.baseURL)\", \(platform.settings)"
                    : (["base_url: \"\(api.baseURL)\""] + (platform.settings.isEmpty ? [] : [platform.settings])).joined(separator: ", ")
            setup.extraAdapters = """
                  \(platform.name):
                    secret: "\(platform.secret)"
                    settings: {\(settings)}
                    auth: \(platform.auth.replacingOccurrences(of: "BASE", with: api.baseURL))
                    targets:
                \(PlatformEndToEndTests.targets("\(platform.name)-"))
                """
            let adapter = try Adapter(
                yaml: String(contentsOf: packageRoot.appendingPathComponent("Webhooks/\(platform.name).yaml"), encoding: .utf8),
                file: "\(platform.name).yaml")
            let sample = try Data(contentsOf: packageRoot.appendingPathComponent("Samples/webhooks/\(platform.sample)"))
            try await withServer(setup) { server in
                let reply = try await Self.deliver(sample, headers: platform.headers, to: server, adapter: adapter, secret: platform.secret)
                #expect(reply.status == 202, "\(reply.text)")
                let id = try #require(reply.json["ticket_id"] as? String, "\(reply.text)")

                let writeBacks = try await eventually("every write-back delivered") {
                    let entries = try await server.get("/v1/tickets/\(id)").json["write_backs"] as? [[String: Any]] ?? []
                    let done = entries.count == platform.expected.count - (platform.name == "helpscout" ? 1 : 0)
                        && entries.allSatisfy { $0["status"] as? String == "delivered" }
                    return done ? entries : nil
                }
                let attempts = writeBacks.map { $0["attempts"] as? Int ?? 0 }.sorted()
                #expect(attempts == Array(repeating: 1, count: attempts.count - 1) + [2],
                    "the rate-limited request was sent again once; the others went through at once")

                let received = api.requests.map { "\($0.method) \($0.path)" }
                let firstTry = try #require(api.requests.first { $0.path != "/v2/oauth2/token" })
                #expect(received.sorted() == (platform.expected + ["\(firstTry.method) \(firstTry.path)"]).sorted(),
                    "each request once, and the rate-limited one again")
                for request in api.requests where request.path != "/v2/oauth2/token" {
                    #expect(request.headers[HTTPField.Name(platform.credential.name)!] == platform.credential.value, "\(request.path)")
                    #expect(request.headers[.userAgent] == "Switchyard")
                }

                // The platform's event for our own write-back.
                var payload = try #require(try JSONSerialization.jsonObject(with: sample) as? [String: Any])
                platform.echo(&payload)
                let echo = try JSONSerialization.data(withJSONObject: payload)
                let answer = try await Self.deliver(
                    echo, headers: platform.echoHeaders.isEmpty ? platform.headers : platform.echoHeaders, to: server, adapter: adapter,
                    secret: platform.secret)
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.json["status"] as? String == "ignored", "our echo is not decided again: \(answer.text)")
                #expect(try await server.queueDepth() == 0)
            }
        }
    }

    /// Posts `body` to the adapter's webhook with the headers the platform would sign it with.
    static func deliver(
        _ body: Data, headers: [String: String], to server: ServerHarness, adapter: Adapter, secret: String
    ) async throws -> ServerHarness.Reply {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let delivery = WebhookDelivery(url: "http://127.0.0.1/webhooks/\(adapter.name)", headers: fields, body: Array(body))
        var sent = headers
        for field in try adapter.signingHeaders(for: delivery, secret: secret, now: Date()) {
            sent[field.name.rawName] = field.value
        }
        return try await server.send(.POST, "/webhooks/\(adapter.name)", body: body, headers: sent)
    }
}
