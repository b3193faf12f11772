import Foundation
import SwitchyardTestSupport
import Testing

@Suite("Live rules: reload, GET /v1/rules, folder watch")
struct RulesReloadTests {
    static func rule(_ id: String, word: String, department: String) -> String {
        """
        rules:
          - id: \(id)
            when: { field: text, contains: \(word) }
            then: { department: \(department) }
        """
    }

    @Test("a reload under concurrent triage loses no ticket, decides none with a half-loaded set, and a broken edit keeps the set in force")
    func reloadUnderLoad() async throws {
        var setup = ServerSetup()
        setup.rules = ["50-probe.yaml": Self.rule("old-rule", word: "alpha", department: "cards")]
        setup.rulesExtra = "  watch_interval: off"
        try await withServer(setup) { server in
            let before = try await server.get("/v1/rules").json
            let oldVersion = try #require(before["version"] as? String)
            #expect((before["last_reload"] as? [String: Any])?["trigger"] as? String == "start")

            // Tickets arrive while the rules are replaced: the new file names both words, so a
            // set mixing the two files' rules would show up as a decision by neither.
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        let reply = try await server.post("/webhooks/generic", json: #"{"id": "R-\#(index)", "body": "alpha beta"}"#)
                        return try #require(reply.json["ticket_id"] as? String)
                    }
                }
                group.addTask {
                    _ = try server.directory.write(
                        Self.rule("new-rule", word: "beta", department: "fraud_security"), to: "Rules/50-probe.yaml")
                    let reload = try await server.post("/v1/rules/reload", json: "{}")
                    #expect(reload.status == 200, "\(reload.text)")
                    return ""
                }
                return try await group.reduce(into: [String]()) { if !$1.isEmpty { $0.append($1) } }
            }
            let after = try await server.get("/v1/rules").json
            let newVersion = try #require(after["version"] as? String)
            #expect(newVersion != oldVersion)
            #expect((after["last_reload"] as? [String: Any])?["result"] as? String == "applied")
            #expect((after["rules"] as? [[String: Any]])?.map { $0["id"] as? String } == ["new-rule"])

            for id in ids {
                let document = try await server.decidedTicket(id)
                let decision = try #require(document["decision"] as? [String: Any])
                let provenance = try #require(decision["provenance"] as? [String: Any])
                switch provenance["ruleset_version"] as? String {
                case oldVersion:
                    #expect(provenance["decided_by"] as? String == "old-rule")
                    #expect(decision["department"] as? String == "cards")
                case newVersion:
                    #expect(provenance["decided_by"] as? String == "new-rule")
                    #expect(decision["department"] as? String == "fraud_security")
                case let other:
                    Issue.record("ticket \(id) decided with ruleset \(other ?? "none")")
                }
            }

            // A broken edit: refused with its place, the set in force stays and keeps deciding.
            _ = try server.directory.write("rules:\n  - id: Broken\n    when: {}\n", to: "Rules/60-broken.yaml")
            let refused = try await server.post("/v1/rules/reload", json: "{}")
            #expect(refused.status == 422)
            let error = try #require(refused.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "rules_invalid")
            #expect((error["message"] as? String)?.contains("60-broken.yaml:2:9: error: invalid rule id \"Broken\"") == true, "\(refused.text)")
            let listed = try await server.get("/v1/rules").json
            #expect(listed["version"] as? String == newVersion)
            let lastReload = try #require(listed["last_reload"] as? [String: Any])
            #expect(lastReload["result"] as? String == "refused")
            #expect((lastReload["problems"] as? [String])?.contains { $0.hasSuffix("60-broken.yaml:2:9: error: invalid rule id \"Broken\" at rules[0].id: use lowercase letters, digits, '_', '.' and '-', starting with a letter or digit") } == true, "\(lastReload)")
            let metrics = try await server.get("/metrics").text
            #expect(metrics.contains("switchyard_rules_reload_failing 1"), "\(metrics)")
            let later = try #require(try await server.post("/webhooks/generic", json: #"{"id": "R-late", "body": "beta"}"#).json["ticket_id"] as? String)
            let decided = try await server.decidedTicket(later)
            #expect(((decided["decision"] as? [String: Any])?["provenance"] as? [String: Any])?["ruleset_version"] as? String == newVersion)
        }
    }

    @Test("GET /v1/rules lists the rules in order with their place, hits, last hit and agents' precision; the metrics count hits")
    func statistics() async throws {
        var setup = ServerSetup()
        setup.rules["05-vip.yaml"] = """
            rules:
              - id: vip
                decide: false
                when: { field: tags, in: [vip] }
                then: { priority: urgent }
            """
        try await withServer(setup) { server in
            var ids: [String] = []
            for (index, body) in ["I lost my card", "a stolen card", "my stolen card again"].enumerated() {
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "S-\#(index)", "body": "\#(body)", "tags": ["vip"]}"#)
                ids.append(try #require(reply.json["ticket_id"] as? String))
            }
            for id in ids { _ = try await server.decidedTicket(id) }
            _ = try await server.post("/v1/tickets/\(ids[0])/feedback", json: #"{"verdict": "up"}"#)
            _ = try await server.post("/v1/tickets/\(ids[1])/feedback", json: #"{"verdict": "down", "department": "cards"}"#)

            let document = try await server.get("/v1/rules").json
            let rules = try #require(document["rules"] as? [[String: Any]])
            #expect(rules.map { $0["id"] as? String } == ["vip", "lost-or-stolen-card", "fallback-transfer"])
            #expect(rules.map { $0["kind"] as? String } == ["annotating", "deciding", "fallback"])
            let lost = rules[1]
            #expect((lost["location"] as? String)?.hasSuffix("Rules/10-security.yaml:2:5") == true, "\(lost)")
            #expect(lost["department"] as? String == "fraud_security")
            #expect(lost["hits"] as? Int == 3)
            #expect(lost["last_hit"] is String)
            #expect((lost["feedback"] as? [String: Int]) == ["up": 1, "down": 1])
            #expect(lost["precision"] as? Double == 0.5)
            #expect(rules[0]["hits"] as? Int == 3, "annotations count as hits")
            #expect(rules[2]["hits"] as? Int == 0)
            #expect(rules[2]["precision"] == nil)
            let metrics = try await server.get("/metrics").text
            #expect(metrics.contains(#"switchyard_rule_hits_total{rule="lost-or-stolen-card",kind="deciding"} 3"#), "\(metrics)")
        }
    }

    @Test("an edited rule file is picked up by the folder watch")
    func folderWatch() async throws {
        var setup = ServerSetup()
        setup.rulesExtra = "  watch_interval: 50ms"
        try await withServer(setup) { server in
            let version = try #require(try await server.get("/v1/rules").json["version"] as? String)
            _ = try server.directory.write(Self.rule("watched", word: "gamma", department: "cards"), to: "Rules/70-watched.yaml")
            let reload = try await eventually("the watch reloaded") { () -> [String: Any]? in
                let document = try await server.get("/v1/rules").json
                return document["version"] as? String != version ? document : nil
            }
            #expect((reload["last_reload"] as? [String: Any])?["trigger"] as? String == "file change")
            #expect((reload["rules"] as? [[String: Any]])?.contains { $0["id"] as? String == "watched" } == true)
        }
    }
}
