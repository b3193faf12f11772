import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// `GET /v1/quality` over real decisions and agents' verdicts.
@Suite struct QualityEndpointTests {
    @Test("the OpenAPI document lists every stage a decision and the quality report can name")
    func openAPIStages() async throws {
        try await withServer(ServerSetup()) { server in
            let document = try await server.get("/openapi.json").json
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let stages = Stage.allCases.map(\.rawValue)
            var found = 0
            for (name, schema) in schemas {
                guard let stage = ((schema as? [String: Any])?["properties"] as? [String: Any])?["stage"] as? [String: Any],
                    let values = stage["enum"] as? [String]
                else { continue }
                found += 1
                #expect(values == stages, "\(name)")
            }
            #expect(found >= 2, "Provenance and StageQuality")
        }
    }

    @Test("accuracy by stage, precision and recall by department, coverage and the daily trend come from agents' verdicts")
    func qualityFromFeedback() async throws {
        try await withServer { server in
            var ids: [String] = []
            for (index, body) in [
                "I lost my card yesterday", "My stolen card was used on the bus", "How do I send a transfer abroad?",
                "hello there",
            ].enumerated() {
                let reply = try await server.post("/webhooks/generic", json: #"{"id": "Q-\#(index)", "body": "\#(body)"}"#)
                ids.append(try #require(reply.json["ticket_id"] as? String))
            }
            var decided: [[String: Any]] = []
            for id in ids { decided.append(try #require(try await server.decidedTicket(id)["decision"] as? [String: Any])) }
            let stages = decided.map { ($0["provenance"] as? [String: Any])?["stage"] as? String }
            #expect(stages[0] == "rule" && stages[1] == "rule", "\(stages)")
            let third = try #require(decided[2]["department"] as? String)

            for (id, feedback) in [
                (ids[0], #"{"verdict": "up"}"#), (ids[1], #"{"verdict": "down", "department": "cards"}"#),
                (ids[2], #"{"verdict": "up"}"#),
            ] {
                #expect(try await server.post("/v1/tickets/\(id)/feedback", json: feedback).status == 201)
            }

            let reply = try await server.get("/v1/quality?days=7")
            #expect(reply.status == 200, "\(reply.text)")
            let report = reply.json
            let overall = try #require(report["overall"] as? [String: Any])
            #expect(overall["decided"] as? Int == 4 && overall["judged"] as? Int == 3 && overall["correct"] as? Int == 2)
            #expect(abs((overall["accuracy"] as? Double ?? 0) - 2.0 / 3.0) < 1e-9)
            #expect(report["truncated"] as? Bool == false)

            let byStage = try #require(report["stages"] as? [[String: Any]])
            #expect(byStage.map { $0["stage"] as? String } == ["rule", "model", "fallback_model", "fallback_rule", "default", "abstained"])
            let rule = try #require(byStage.first)
            #expect(rule["decided"] as? Int == 2 && rule["judged"] as? Int == 2 && rule["correct"] as? Int == 1)
            #expect(rule["accuracy"] as? Double == 0.5 && rule["coverage"] as? Double == 0.5)
            #expect(byStage.map { $0["decided"] as? Int ?? 0 }.reduce(0, +) == 4)
            #expect(byStage.contains { $0["judged"] as? Int == 0 && $0["accuracy"] is NSNull }, "no verdict: accuracy null")

            let departments = try #require(report["departments"] as? [[String: Any]])
            func department(_ id: String) -> [String: Any]? { departments.first { $0["department"] as? String == id } }
            let fraud = try #require(department("fraud_security"))
            let toFraud = decided.filter { $0["department"] as? String == "fraud_security" }.count
            #expect(fraud["decided"] as? Int == toFraud && fraud["precision"] as? Double == (third == "fraud_security" ? 2.0 / 3.0 : 0.5), "\(fraud)")
            #expect(fraud["actual"] as? Int == (third == "fraud_security" ? 2 : 1) && fraud["recall"] as? Double == 1.0, "the stolen card was not fraud's, says the agent")
            let cards = try #require(department("cards"))
            #expect(cards["actual"] as? Int == (third == "cards" ? 2 : 1), "\(cards)")
            if third != "cards" {
                #expect(cards["recall"] as? Double == 0.0, "the ticket that was cards' went to fraud_security")
                #expect(department(third)?["precision"] as? Double == 1.0)
            }

            let daily = try #require(report["daily"] as? [[String: Any]])
            #expect(daily.count == 7)
            let today = try #require(daily.last)
            #expect(today["decided"] as? Int == 4 && today["judged"] as? Int == 3)
            #expect((today["by_stage"] as? [String: Int])?["rule"] == 2)
            #expect(daily.dropLast().allSatisfy { $0["decided"] as? Int == 0 })
            let window = try #require(report["window"] as? [String: Any])
            #expect(window["days"] as? Int == 7 && (window["from"] as? String)?.hasSuffix("T00:00:00Z") == true, "\(window)")

            for bad in ["0", "366", "week"] {
                let refused = try await server.get("/v1/quality?days=\(bad)")
                #expect(refused.status == 400 && refused.text.contains("invalid_query"), "\(bad): \(refused.text)")
            }
        }
    }

    /// `switchyard_quality_checks_total` as `/metrics` shows it.
    static func checks(_ server: ServerHarness) async throws -> Int? {
        let metrics = try await server.get("/metrics").text
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix("switchyard_quality_checks_total ") }) else { return nil }
        return Int(line.split(separator: " ").last ?? "")
    }

    @Test("accuracy under its threshold is announced once to the alert webhook, the log and /metrics; its recovery once too")
    func accuracyDriftIsAnnouncedOncePerEpisode() async throws {
        // The first post is refused: the alert is sent again at the next check, not dropped.
        let refusals = Mutex(1)
        try await ScriptedHTTPServer.withServer(handler: { _, _ in
            let refuse = refusals.withLock { count in
                defer { count = max(0, count - 1) }
                return count > 0
            }
            return refuse ? ScriptedResponse(status: .internalServerError, body: "busy") : ScriptedResponse(body: "ok")
        }) { hook in
            var setup = ServerSetup()
            setup.quality = """
                  window: 1d
                  reference_window: 1d
                  min_judged: 2
                  accuracy_threshold: 0.9
                  min_decided: 100000
                  check_interval: 50ms
                  alert_webhook: \(hook.baseURL)/hooks/quality
                """
            try await withServer(setup) { server in
                var ids: [String] = []
                for (index, body) in ["I lost my card yesterday", "My stolen card was used on the bus"].enumerated() {
                    let reply = try await server.post("/webhooks/generic", json: #"{"id": "D-\#(index)", "body": "\#(body)"}"#)
                    ids.append(try #require(reply.json["ticket_id"] as? String))
                }
                for id in ids {
                    _ = try await server.decidedTicket(id)
                    #expect(try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "down", "department": "cards"}"#).status == 201)
                }
                let alert = try await eventually("the alert posted") { hook.requests.count >= 2 ? hook.requests : nil }
                #expect(alert[0].body == alert[1].body, "the refused post is sent again as it was")
                let posted = try alert[1].json()
                let text = try #require(posted["text"] as? String)
                #expect(text.contains("quality alert") && text.contains("Accuracy") && text.contains("accuracy 0.0 %"), "\(text)")
                #expect(text.contains("0 of 2 verdicts up") && text.contains("threshold 90.0 %"), "\(text)")
                #expect(alert[1].path == "/hooks/quality" && alert[1].headers[.contentType] == "application/json")

                let metrics = try await eventually("the alert in /metrics") {
                    let text = try await server.get("/metrics").text
                    return text.contains(#"switchyard_quality_alert_active{kind="accuracy"} 1"#) ? text : nil
                }
                func gauge(_ series: String) -> Double? {
                    metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
                }
                #expect(gauge("switchyard_quality_accuracy") == 0)
                #expect(gauge(#"switchyard_quality_stage_accuracy{stage="rule"}"#) == 0, "both rule decisions judged wrong")
                #expect(gauge(#"switchyard_quality_stage_coverage{stage="rule"}"#) == 1)
                #expect(gauge(#"switchyard_quality_department_precision{department="fraud_security"}"#) == 0)
                #expect(gauge(#"switchyard_quality_department_recall{department="cards"}"#) == 0, "both were cards', by the agents")
                // The check records its metrics after saving the episode: the report shows it now.
                let quality = try await server.get("/v1/quality").json
                let alerts = try #require(quality["alerts"] as? [[String: Any]])
                #expect(alerts.map { $0["kind"] as? String } == ["accuracy"])
                #expect((alerts.first?["summary"] as? String)?.contains("accuracy 0.0 %") == true)

                // Checks go on while the episode lasts, and announce nothing more.
                let seen = try #require(try await Self.checks(server))
                _ = try await eventually("three more checks") { try await Self.checks(server).flatMap { $0 >= seen + 3 ? true : nil } }
                #expect(hook.requests.count == 2)

                for id in ids {
                    #expect(try await server.post("/v1/tickets/\(id)/feedback", json: #"{"verdict": "up"}"#).status == 201)
                }
                let recovered = try await eventually("the recovery posted") { hook.requests.count >= 3 ? hook.requests[2] : nil }
                let recovery = try #require(try recovered.json()["text"] as? String)
                #expect(recovery.contains("quality recovered") && recovery.contains("accuracy 100.0 %") && recovery.contains("alert since"))
                let after = try #require(try await Self.checks(server))
                _ = try await eventually("three more checks") { try await Self.checks(server).flatMap { $0 >= after + 3 ? true : nil } }
                #expect(hook.requests.count == 3, "one alert and one recovery per episode")
                #expect((try await server.get("/v1/quality").json["alerts"] as? [Any])?.isEmpty == true)
                #expect(try await server.get("/metrics").text.contains(#"switchyard_quality_alert_active{kind="accuracy"} 0"#))
            }
        }
    }

    @Test("a department mix that shifted against the reference window is an alert; the stage mix that did not is none")
    func departmentMixShiftIsAnnounced() async throws {
        try await ScriptedHTTPServer.withServer(handler: { _, _ in ScriptedResponse(body: "ok") }) { hook in
            var setup = ServerSetup()
            setup.quality = """
                  window: 2d
                  reference_window: 7d
                  min_judged: 1000
                  min_decided: 6
                  mix_threshold: 0.3
                  check_interval: 50ms
                  alert_webhook: \(hook.baseURL)/hooks/quality
                """
            // Decided by the model: to cards three to eight days ago, to fees_fx since yesterday.
            setup.seed = { store in
                let now = Date()
                for number in 0..<12 {
                    let at = now.addingTimeInterval(number < 6 ? -Double(3 + number) * 86_400 : -Double(number - 6) * 3_600)
                    let ticket = Ticket(externalID: "MIX-\(number)", source: "generic", body: "seeded ticket \(number)")
                    let id = try await store.accept(ticket, idempotencyKey: "mix-\(number)", receivedAt: at).ticketID
                    let claim = Claim(instance: "seed", token: "seed/\(number)")
                    _ = try await store.claimQueued(limit: 1, claim: claim, now: at, lease: .seconds(60))
                    let decision = Decision(
                        department: number < 6 ? "cards" : "fees_fx", confidence: 0.9,
                        provenance: Provenance(stage: .model, decidedBy: "openai/gpt-4o-mini", rulesetVersion: "seed"), decidedAt: at)
                    try await store.recordDecision(decision, for: id, claim: claim, writeBacks: [], now: at)
                }
            }
            try await withServer(setup) { server in
                let posted = try await eventually("the mix alert posted") { hook.requests.first }
                let text = try #require(try posted.json()["text"] as? String)
                #expect(text.contains("Department mix") && text.contains("moved 1.00"), "\(text)")
                #expect(text.contains("cards 100.0 % → 0.0 %") && text.contains("fees_fx 0.0 % → 100.0 %"), "\(text)")
                // The check that posted counts itself once it has saved the episode.
                let seen = try await eventually("the check counted") { try await Self.checks(server) }
                _ = try await eventually("three more checks") { try await Self.checks(server).flatMap { $0 >= seen + 3 ? true : nil } }
                #expect(hook.requests.count == 1, "one department-mix alert; the stage mix did not move and accuracy had too few verdicts")
                let alerts = try #require(try await server.get("/v1/quality").json["alerts"] as? [[String: Any]])
                #expect(alerts.map { $0["kind"] as? String } == ["department_mix"])
                let metrics = try await server.get("/metrics").text
                #expect(metrics.contains(#"switchyard_quality_alert_active{kind="department_mix"} 1"#))
                #expect(metrics.contains(#"switchyard_quality_alert_active{kind="stage_mix"} 0"#))
            }
        }
    }
}

