import Crypto
import Foundation
import InMemoryLogging
import Logging
import NIOHTTP1
import SwitchyardCore
import SwitchyardTestSupport
import Testing

/// Who may call what: API tokens with roles, 401 without one, 403 below the endpoint's role.
@Suite struct AccessTests {
    static let agentToken = "agent-token-0123456789abcdef"
    static let leadToken = "lead-token-0123456789abcdef"
    static let adminToken = "admin-token-0123456789abcdef"

    /// The admin's token is given as its SHA-256 only, as an operator who keeps secrets out of files would.
    static let tokens = """
          tokens:
            - { name: maria, role: agent, token: \(agentToken) }
            - { name: lead-team, role: lead, token: \(leadToken) }
            - { name: ops, role: admin, sha256: \(sha256Hex(adminToken)) }
        """

    static func sha256Hex(_ text: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Data(text.utf8))))
    }

    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    struct Endpoint: Sendable, CustomTestStringConvertible {
        var method: HTTPMethod
        var path: String
        var body: String?
        var role: String
        var testDescription: String { "\(method.rawValue) \(path)" }
    }

    @Test("every /v1 endpoint refuses a missing or unknown token (401) and a smaller role (403), and lets its role in")
    func everyEndpointChecksItsRole() async throws {
        let endpoints = [
            Endpoint(method: .GET, path: "/v1/tickets/{id}", role: "lead"),
            Endpoint(method: .POST, path: "/v1/tickets/{id}/feedback", body: #"{"verdict": "up"}"#, role: "agent"),
            Endpoint(method: .POST, path: "/v1/classify", body: #"{"id": "c", "body": "stolen card"}"#, role: "admin"),
            Endpoint(method: .GET, path: "/v1/write-backs", role: "admin"),
            Endpoint(method: .GET, path: "/v1/rules", role: "lead"),
            Endpoint(method: .POST, path: "/v1/rules/reload", role: "lead"),
            Endpoint(method: .GET, path: "/v1/providers", role: "lead"),
            Endpoint(method: .GET, path: "/v1/quality", role: "lead"),
        ]
        let tokens = ["agent": Self.agentToken, "lead": Self.leadToken, "admin": Self.adminToken]
        let order = ["agent", "lead", "admin"]
        try await withServer(ServerSetup(access: Self.tokens)) { server in
            let accepted = try await server.post("/webhooks/generic", json: #"{"id": "A-1", "body": "I lost my card"}"#)
            #expect(accepted.status == 202, "webhooks are authenticated by their signature, not tokens")
            let id = try #require(accepted.json["ticket_id"] as? String)
            _ = try await server.decidedTicket(id, headers: Self.bearer(Self.leadToken))

            for endpoint in endpoints {
                let path = endpoint.path.replacingOccurrences(of: "{id}", with: id)
                let body = endpoint.body.map { Data($0.utf8) }
                let missing = try await server.send(endpoint.method, path, body: body)
                #expect(missing.status == 401, "\(endpoint.testDescription) without a token")
                #expect(missing.headers["www-authenticate"] == "Bearer")
                #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")
                let unknown = try await server.send(endpoint.method, path, body: body, headers: Self.bearer("not-a-token-of-this-server"))
                #expect(unknown.status == 401, "\(endpoint.testDescription) with an unknown token")
                let malformed = try await server.send(endpoint.method, path, body: body, headers: ["Authorization": "Basic \(Self.adminToken)"])
                #expect(malformed.status == 401, "\(endpoint.testDescription) with another scheme")

                let needed = try #require(order.firstIndex(of: endpoint.role))
                for (rank, role) in order.enumerated() {
                    let reply = try await server.send(endpoint.method, path, body: body, headers: Self.bearer(tokens[role]!))
                    if rank < needed {
                        #expect(reply.status == 403, "\(endpoint.testDescription) as \(role)")
                        #expect(reply.text.contains("needs role \(endpoint.role) or higher"), "\(reply.text)")
                    } else {
                        #expect((200..<300).contains(reply.status), "\(endpoint.testDescription) as \(role): \(reply.status) \(reply.text)")
                    }
                }
            }

            // Sending a dead letter again is for admins; with nothing dead, an admin is told so (404).
            let retry = "/v1/write-backs/424242/retry"
            #expect(try await server.send(.POST, retry, body: nil).status == 401)
            for role in ["agent", "lead"] {
                #expect(try await server.send(.POST, retry, body: nil, headers: Self.bearer(tokens[role]!)).status == 403, "as \(role)")
            }
            let asAdmin = try await server.send(.POST, retry, body: nil, headers: Self.bearer(Self.adminToken))
            #expect(asAdmin.status == 404 && asAdmin.text.contains("write_back_not_found"), "\(asAdmin.text)")

            for open in ["/healthz", "/readyz", "/metrics"] {
                #expect(try await server.get(open).status == 200, "\(open) is open by default")
            }
        }
    }

    @Test("feedback is recorded as given by the token's holder; only an admin token may name another agent")
    func feedbackNamesItsAgentFromTheToken() async throws {
        try await withServer(ServerSetup(access: Self.tokens)) { server in
            let accepted = try await server.post("/webhooks/generic", json: #"{"id": "A-2", "body": "I lost my card"}"#)
            let id = try #require(accepted.json["ticket_id"] as? String)
            _ = try await server.decidedTicket(id, headers: Self.bearer(Self.leadToken))

            let own = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "up"}"#, headers: Self.bearer(Self.agentToken))
            #expect(own.status == 201)
            #expect((own.json["feedback"] as? [String: Any])?["agent"] as? String == "maria")
            let impersonating = try await server.post(
                "/v1/tickets/\(id)/feedback", json: #"{"verdict": "down", "agent": "someone-else"}"#, headers: Self.bearer(Self.agentToken))
            #expect(impersonating.status == 403)
            #expect((impersonating.json["error"] as? [String: Any])?["path"] as? String == "$.agent")
            let relayed = try await server.post(
                "/v1/tickets/\(id)/feedback", json: #"{"verdict": "down", "agent": "joao"}"#, headers: Self.bearer(Self.adminToken))
            #expect(relayed.status == 201)

            let document = try await server.get("/v1/tickets/\(id)", headers: Self.bearer(Self.leadToken)).json
            let agents = (document["feedback"] as? [[String: Any]])?.compactMap { $0["agent"] as? String }
            #expect(agents == ["maria", "joao"], "the refused thumbs left nothing")
        }
    }

    @Test("/metrics can require a role; /healthz and /readyz stay open")
    func metricsBehindARole() async throws {
        try await withServer(ServerSetup(access: Self.tokens + "\n  metrics: lead")) { server throws in
            #expect(try await server.get("/metrics").status == 401)
            #expect(try await server.get("/metrics", headers: Self.bearer(Self.agentToken)).status == 403)
            #expect(try await server.get("/metrics", headers: Self.bearer(Self.leadToken)).status == 200)
            #expect(try await server.get("/healthz").status == 200)
            #expect(try await server.get("/readyz").status == 200)
        }
    }

    @Test("no token appears in the logs, even at trace level")
    func tokensAreNeverLogged() async throws {
        let logs = InMemoryLogHandler()
        try await withServer(ServerSetup(access: Self.tokens), logHandler: logs) { server in
            let accepted = try await server.post("/webhooks/generic", json: #"{"id": "A-3", "body": "hello"}"#)
            let id = try #require(accepted.json["ticket_id"] as? String)
            for token in [Self.agentToken, Self.leadToken, Self.adminToken, "a-wrong-token-0123456789"] {
                _ = try await server.get("/v1/tickets/\(id)", headers: Self.bearer(token))
                _ = try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "up"}"#, headers: Self.bearer(token))
            }
        }
        let text = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!logs.entries.isEmpty, "the server logged at trace level")
        for token in [Self.agentToken, Self.leadToken, Self.adminToken, "a-wrong-token-0123456789"] {
            #expect(!text.contains(token))
        }
    }
}
