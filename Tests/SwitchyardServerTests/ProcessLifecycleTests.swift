import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardModels
import SwitchyardSQLite
import SwitchyardStore
import SwitchyardServer
import SwitchyardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `switchyard` binary: killed with SIGKILL it loses no accepted ticket; stopped
/// with SIGTERM it exits cleanly.
@Suite(.serialized) struct ProcessLifecycleTests {
    /// The `switchyard` executable built next to the test bundle.
    static var executable: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchyard"),
            packageRoot.appendingPathComponent(".build/debug/switchyard"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A `switchyard serve` child process whose log goes to a file in the test folder.
    struct RunningServer {
        let process: Process
        let port: Int
        let log: URL

        static func start(
            config: URL, in directory: TemporaryDirectory, name: String, logLevel: String = "info"
        ) async throws -> RunningServer {
            try await startAll(config: config, in: directory, names: [name], logLevel: logLevel)[0]
        }

        /// Starts one process per name at once (they race for the store, as replicas started
        /// together do), then waits for each to listen; on failure none is left running.
        static func startAll(
            config: URL, in directory: TemporaryDirectory, names: [String], logLevel: String = "info"
        ) async throws -> [RunningServer] {
            let executable = try #require(ProcessLifecycleTests.executable, "build the switchyard product first")
            var launched: [(name: String, process: Process, log: URL)] = []
            do {
                for name in names {
                    let log = directory.url.appendingPathComponent("\(name).log")
                    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = ["serve", "--config", config.path, "--port", "0", "--log-level", logLevel]
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = try FileHandle(forWritingTo: log)
                    try process.run()
                    launched.append((name, process, log))
                }
                var servers: [RunningServer] = []
                for (name, process, log) in launched {
                    let port = try await eventually(timeout: .seconds(60), "server \(name) listening") { () -> Int? in
                        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                        if !process.isRunning {
                            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? text
                            throw TimedOut(description: "switchyard exited early with status \(process.terminationStatus):\n\(output)")
                        }
                        guard let range = text.range(of: #"address=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return nil }
                        return Int(text[range].split(separator: ":").last ?? "")
                    }
                    servers.append(RunningServer(process: process, port: port, log: log))
                }
                return servers
            } catch {
                for (_, process, _) in launched where process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw error
            }
        }

        func waitForExit(timeout: Duration) async throws -> Int32 {
            try await eventually(timeout: timeout, "process exit") { process.isRunning ? nil : process.terminationStatus }
        }
    }

    static func request(
        _ client: HTTPClient, _ method: HTTPMethod, port: Int, path: String, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
        return (Int(response.status.code), json)
    }

    func writeConfiguration(in directory: TemporaryDirectory, lease: String = "3s") throws -> URL {
        // A short lease so that the tickets a killed server held are taken over soon; the
        // lease must outlast a decision (model.deadline + 1s), and the local model answers at once.
        var setup = ServerSetup()
        setup.modelDeadline = "1s"
        // Rules reload on SIGHUP only, so the SIGHUP test knows what reloaded them.
        setup.rulesExtra = "  watch_interval: off"
        return try directory.write(
            try setup.configuration(in: directory).replacingOccurrences(of: "lease: 30s", with: "lease: \(lease)"),
            to: "switchyard.yaml")
    }

    @Test("tickets answered 202 survive kill -9 and are all decided after a restart")
    func killNineLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A lease far longer than the test may take: the claims the killed server held must
        // come back when the next one starts on the file, not when they expire.
        let config = try writeConfiguration(in: directory, lease: "600s")
        let client = HTTPClient.shared

        let first = try await RunningServer.start(config: config, in: directory, name: "first")
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let (status, json) = try await Self.request(
                        client, .POST, port: first.port, path: "/webhooks/generic",
                        body: #"{"id": "K-\#(index)", "body": "Where is my card? I ordered it last week."}"#)
                    #expect(status == 202)
                    return try #require(json["ticket_id"] as? String)
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        kill(first.process.processIdentifier, SIGKILL)
        #expect(try await first.waitForExit(timeout: .seconds(10)) == SIGKILL)

        let second = try await RunningServer.start(config: config, in: directory, name: "second")
        defer { kill(second.process.processIdentifier, SIGKILL) }
        for id in ids {
            let (status, json) = try await Self.request(client, .GET, port: second.port, path: "/v1/tickets/\(id)")
            #expect(status == 200, "ticket \(id) lost")
            #expect((json["ticket"] as? [String: Any])?["external_id"] as? String != nil)
        }
        for id in ids {
            // Taken over at the restart, not after the 600 s lease: one process writes a SQLite
            // file (its lock says so), so the claims of any earlier one go back when it registers.
            _ = try await eventually(timeout: .seconds(30), "ticket \(id) decided after the restart") { () -> Bool? in
                let (_, json) = try await Self.request(client, .GET, port: second.port, path: "/v1/tickets/\(id)")
                return json["status"] as? String == "decided" ? true : nil
            }
        }
        let reused = try String(contentsOf: second.log, encoding: .utf8)
        #expect(reused.contains("Loaded the local model from the store"))
    }

    @Test("SIGHUP reloads the rules and keeps serving; SIGTERM stops the server cleanly with exit status 0")
    func sigtermExitsCleanly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        let client = HTTPClient.shared

        let server = try await RunningServer.start(config: config, in: directory, name: "server")
        let (status, _) = try await Self.request(
            client, .POST, port: server.port, path: "/webhooks/generic", body: #"{"id": "S-1", "body": "hello"}"#)
        #expect(status == 202)

        _ = try directory.write(
            "rules:\n  - id: hup\n    when: { field: body, contains: hup }\n    then: { department: cards }\n", to: "Rules/80-hup.yaml")
        kill(server.process.processIdentifier, SIGHUP)
        let reloaded = try await eventually("SIGHUP reloaded the rules") { () -> [String: Any]? in
            let (_, document) = try await Self.request(client, .GET, port: server.port, path: "/v1/rules")
            let ids = (document["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            return ids.contains("hup") ? document : nil
        }
        #expect((reloaded["last_reload"] as? [String: Any])?["trigger"] as? String == "SIGHUP")
        kill(server.process.processIdentifier, SIGTERM)
        #expect(try await server.waitForExit(timeout: .seconds(30)) == 0)
        let log = try String(contentsOf: server.log, encoding: .utf8)
        #expect(log.contains("Stopped"), "\(log)")
    }

    @Test("a request in flight at SIGTERM is finished and answered before the server exits")
    func sigtermAnswersRequestsInFlight() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        // At debug level the server logs each request as its handler starts: after the head is read.
        let server = try await RunningServer.start(config: config, in: directory, name: "server", logLevel: "debug")
        defer { kill(server.process.processIdentifier, SIGKILL) }

        let body = #"{"id": "T-1", "body": "Where is my card?"}"#
        let connection = try await RawConnection.open(port: server.port)
        try await connection.send(
            "POST /webhooks/generic HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body.prefix(10))
        // The head is in and its handler is reading the body: the request is in flight.
        _ = try await eventually(timeout: .seconds(10), "the request's handler started") { () -> Bool? in
            let log = (try? String(contentsOf: server.log, encoding: .utf8)) ?? ""
            return log.contains("/webhooks/generic") ? true : nil
        }
        kill(server.process.processIdentifier, SIGTERM)
        try await connection.send(String(body.dropFirst(10)))
        let answer = try await connection.readUntilClosed(timeout: .seconds(20))
        #expect(answer.hasPrefix("HTTP/1.1 202"), "\(answer)")
        #expect(try await server.waitForExit(timeout: .seconds(30)) == 0)
    }

    @Test("switchyard classify decides a ticket file or standard input and prints the decision JSON")
    func classifyCommand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        let ticket = try directory.write(#"{"id": "CLI-1", "body": "I lost my card on the bus"}"#, to: "ticket.json")

        let fromFile = try Self.run(["classify", "--config", config.path, ticket.path])
        #expect(fromFile.status == 0, "\(fromFile.error)")
        let decision = try #require(try JSONSerialization.jsonObject(with: Data(fromFile.output.utf8)) as? [String: Any])
        #expect(decision["department"] as? String == "fraud_security")
        #expect((decision["provenance"] as? [String: Any])?["decided_by"] as? String == "lost-or-stolen-card")

        let fromStandardInput = try Self.run(["classify", "--config", config.path], input: #"{"id": "CLI-2", "body": "What is your exchange rate for euros?"}"#)
        #expect(fromStandardInput.status == 0, "\(fromStandardInput.error)")
        #expect(fromStandardInput.output.contains(#""department" : "#))

        let invalid = try Self.run(["classify", "--config", config.path], input: #"{"subject": "no id"}"#)
        #expect(invalid.status != 0)
        #expect(invalid.error.contains("$.id"), "\(invalid.error)")

        let broken = try directory.write("departments: []\ndefault_department: cards\n", to: "broken.yaml")
        let invalidConfiguration = try Self.run(["classify", "--config", broken.path], input: #"{"id": "CLI-3", "body": "hi"}"#)
        #expect(invalidConfiguration.status == 64)
        #expect(invalidConfiguration.error.contains("broken.yaml:1:"), "\(invalidConfiguration.error)")
        #expect(invalidConfiguration.error.contains("at least one department"), "\(invalidConfiguration.error)")
        #expect(!invalidConfiguration.error.contains("Usage"), "\(invalidConfiguration.error)")

        let version = try Self.run(["version"])
        #expect(version.output.hasPrefix("switchyard "))
    }

    @Test("store migrate and store check report the schema; a second serve on the same SQLite file refuses to start")
    func storeCommandsAndSingleProcessSQLite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)

        let migrated = try Self.run(["store", "migrate", "--config", config.path])
        #expect(migrated.status == 0, "\(migrated.error)")
        #expect(migrated.output.contains("0001-initial") && migrated.output.contains("0002-replicas"), "\(migrated.output)")
        let checked = try Self.run(["store", "check", "--config", config.path])
        #expect(checked.status == 0, "\(checked.error)")
        #expect(checked.output.contains("engine:       sqlite"), "\(checked.output)")
        #expect(checked.output.contains("writable:     yes"), "\(checked.output)")

        let first = try await RunningServer.start(config: config, in: directory, name: "first")
        defer { kill(first.process.processIdentifier, SIGKILL) }
        let second = try Self.run(["serve", "--config", config.path, "--port", "0"])
        #expect(second.status != 0)
        #expect(second.error.contains("already in use by process \(first.process.processIdentifier)"), "\(second.error)")
        #expect(second.error.contains("engine: postgres"), "\(second.error)")
    }

    @Test("rules list prints the order with file:line:column; rules test runs the examples and exits 1 on a failure")
    func rulesCommands() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        try directory.write(
            """
            rules:
              - id: vip
                decide: false
                when: { field: tags, in: [vip] }
                then: { priority: urgent }
              - id: any-card
                priority: 5
                when: { field: text, contains: card }
                then: { department: cards }
                examples:
                  match: [my card]
              - id: stolen-card
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
                examples:
                  match: [my card was stolen]
                  no_match: [a lost bike]
            """, to: "Candidate/50-cards.yaml")
        let candidate = directory.url.appendingPathComponent("Candidate").path

        let listed = try Self.run(["rules", "list", "--config", config.path, candidate])
        #expect(listed.status == 0, "\(listed.error)")
        let lines = listed.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ruleset ") == true && lines.first?.hasSuffix(": 3 rules in 1 files") == true, "\(lines)")
        #expect(lines.contains("  1. vip  \(candidate)/50-cards.yaml:2:5  annotates, priority urgent"), "\(lines)")
        #expect(lines.contains("  1. any-card  \(candidate)/50-cards.yaml:6:5  → cards  [priority 5]"), "\(lines)")
        #expect(lines.contains("  2. stolen-card  \(candidate)/50-cards.yaml:12:5  → fraud_security"), "\(lines)")

        let tested = try Self.run(["rules", "test", "--config", config.path, candidate])
        #expect(tested.status == 1)
        #expect(
            tested.output.split(separator: "\n").map(String.init) == [
                #"\#(candidate)/50-cards.yaml:16:15: error: example match[0] of rule "stolen-card" matches, but "any-card" (\#(candidate)/50-cards.yaml:6:5) decides it first"#,
                "3 examples in 2 of 3 rules: 1 failed",
            ], "\(tested.output)")

        let linted = try Self.run(["rules", "lint", "--config", config.path, candidate])
        #expect(linted.status == 0, "warnings alone pass: \(linted.output)\(linted.error)")
        #expect(
            linted.output.contains(#"\#(candidate)/50-cards.yaml:12:5: warning: rule "stolen-card" can never fire on its examples: "any-card" (\#(candidate)/50-cards.yaml:6:5) decides all of them first"#),
            "\(linted.output)")
        #expect(linted.output.hasSuffix("3 rules in 1 files: no errors, 2 warnings\n"), "\(linted.output)")
        let strict = try Self.run(["rules", "lint", "--strict", "--config", config.path, candidate])
        #expect(strict.status == 1)

        let shipped = try Self.run(["rules", "test", "--config", packageRoot.appendingPathComponent("Samples/switchyard.yaml").path])
        #expect(shipped.status == 0, "\(shipped.output)\(shipped.error)")
        #expect(shipped.output.hasSuffix("all pass\n"), "\(shipped.output)")

        try directory.write(
            """
            {"body": "my card was stolen", "department": "fraud_security"}
            {"subject": "Card", "body": "where is my card", "tags": ["vip"], "department": "cards"}

            {"body": "hello", "department": "account_management"}
            """, to: "labelled.jsonl")
        let scored = try Self.run([
            "rules", "test", "--config", config.path, candidate, "--tickets", directory.url.appendingPathComponent("labelled.jsonl").path,
        ])
        let scoredLines = scored.output.split(separator: "\n").map(String.init)
        #expect(scoredLines.contains { $0.hasSuffix("labelled.jsonl: 3 tickets; deciding rules decided 2 (66.7 %), the rest go to the model") }, "\(scored.output)\(scored.error)")
        #expect(scoredLines.contains { $0.hasPrefix("  any-card") && $0.contains("     2      1  50.0 %") }, "\(scoredLines)")
        #expect(scoredLines.contains { $0.hasSuffix("labelled.jsonl #1: any-card decided cards, labelled fraud_security: my card was stolen") }, "\(scoredLines)")

        try directory.write("{\"body\": \"no label\"}\n", to: "unlabelled.jsonl")
        let unlabelled = try Self.run([
            "rules", "test", "--config", config.path, candidate, "--tickets", directory.url.appendingPathComponent("unlabelled.jsonl").path,
        ])
        #expect(unlabelled.status == 1)
        #expect(unlabelled.error.contains("unlabelled.jsonl:1: not a ticket with a department: missing `$.department`"), "\(unlabelled.error)")

        try directory.write("rules:\n  - id: Bad\n", to: "Broken/1.yaml")
        let broken = try Self.run(["rules", "test", "--config", config.path, directory.url.appendingPathComponent("Broken").path])
        #expect(broken.status == 1)
        #expect(broken.error.contains("1.yaml:2:5: error: missing required key"), "\(broken.error)")
        let brokenLint = try Self.run(["rules", "lint", "--config", config.path, directory.url.appendingPathComponent("Broken").path])
        #expect(brokenLint.status == 1)
        #expect(brokenLint.output.contains("1.yaml:2:5: error: missing required key"), "\(brokenLint.output)")
    }

    @Test("adapters check lists every problem with the enabled adapters; adapters sign prints headers the running server accepts")
    func adapterCommands() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)

        let checked = try Self.run(["adapters", "check", "--config", config.path])
        #expect(checked.status == 0, "\(checked.output)\(checked.error)")
        #expect(checked.output.hasSuffix("enabled in \(config.path): generic, zendesk, each with a destination for every department\n"), "\(checked.output)")

        let text = try String(contentsOf: config, encoding: .utf8)
        let broken = try directory.write(
            text.replacingOccurrences(of: "      account_management: 108\n", with: "")
                .replacingOccurrences(of: "      fees_fx: 104\n", with: ""),
            to: "broken.yaml")
        let failed = try Self.run(["adapters", "check", "--config", broken.path])
        #expect(failed.status == 1)
        #expect(failed.output.contains(#"\#(broken.path): error: adapters.zendesk: cannot write back a decision for department "fees_fx": no platform target"#), "\(failed.output)")
        #expect(failed.output.contains(#"department "account_management""#), "every problem, not the first: \(failed.output)")

        let zendeskBody = #"{"ticket": {"id": "S-1", "description": "My card was stolen yesterday"}}"#
        let zendeskFile = try directory.write(zendeskBody, to: "zendesk.json")
        let signed = try Self.run(["adapters", "sign", "zendesk", zendeskFile.path, "--config", config.path])
        #expect(signed.status == 0, "\(signed.error)")
        let headers = signed.output.split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), String(parts[1]).trimmingCharacters(in: .whitespaces))
        }
        #expect(headers.map(\.0).sorted() == ["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"])

        let server = try await RunningServer.start(config: config, in: directory, name: "signer")
        let (accepted, reply) = try await Self.request(
            HTTPClient.shared, .POST, port: server.port, path: "/webhooks/zendesk", body: zendeskBody, headers: headers)
        #expect(accepted == 202, "\(reply)")
        let (tampered, _) = try await Self.request(
            HTTPClient.shared, .POST, port: server.port, path: "/webhooks/zendesk", body: zendeskBody + " ", headers: headers)
        #expect(tampered == 401)
        server.process.terminate()
        #expect(try await server.waitForExit(timeout: .seconds(30)) == 0)
    }

    @Test("rules explain and rules replay read stored tickets and feedback beside the process that holds the SQLite store; explain reads a ticket file too")
    func rulesExplain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        try directory.write(
            """
            rules:
              - id: order
                decide: false
                when: { field: body, matches: 'ORD-(?<order>\\d+)' }
                then: { fields: { order_id: "${order}" } }
              - id: stolen-card
                when: { field: text, contains: stolen }
                then: { department: fraud_security }
            """, to: "Candidate/50-cards.yaml")
        let candidate = directory.url.appendingPathComponent("Candidate").path
        let storage = try Configuration.load(path: config.path, environment: [:]).storage
        let store = try SQLiteStore(path: storage.path)
        let id = try await store.accept(
            Ticket(externalID: "E-1", source: "generic", subject: "Help", body: "my card was stolen, ORD-77"),
            idempotencyKey: "E-1", receivedAt: Date()
        ).ticketID
        let claim = Claim(instance: "test-instance", token: "test-claim")
        _ = try await store.claimQueued(limit: 1, claim: claim, now: Date(), lease: .seconds(30))
        let decided = Decision(
            department: "cards", confidence: 0.8,
            provenance: Provenance(stage: .model, decidedBy: "local/linear", rulesetVersion: "old"), decidedAt: Date())
        _ = try await store.recordDecision(decided, for: id, claim: claim, writeBacks: [], now: Date())
        _ = try await store.addFeedback(
            Feedback(verdict: .down, department: "fraud_security", agent: "maria", createdAt: Date()), to: id, decision: nil)
        let explained = try Self.run(["rules", "explain", "--config", config.path, "--rules", candidate, id.rawValue])
        let replayed = try Self.run(["rules", "replay", "--config", config.path, "--candidate", candidate, "--since", "1d", "--no-model", "--json"])
        let replayedText = try Self.run(["rules", "replay", "--config", config.path, "--candidate", candidate, "--since", "1d", "--no-model"])
        try await store.close()
        #expect(replayed.status == 0, "\(replayed.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(replayed.output.utf8)) as? [String: Any])
        #expect(report["tickets"] as? Int == 1)
        #expect(report["changed"] as? Int == 1)
        let change = try #require((report["changes"] as? [[String: Any]])?.first)
        #expect(change["from"] as? String == "cards")
        #expect(change["to"] as? String == "fraud_security")
        let example = try #require((change["examples"] as? [[String: Any]])?.first)
        #expect(example["ticket"] as? String == id.rawValue)
        #expect(example["before"] as? String == "model local/linear")
        #expect(example["after"] as? String == "rule stolen-card")
        let judgement = try #require(report["judgement"] as? [String: Int])
        #expect(judgement == ["judged": 1, "right_before": 0, "right_after": 1, "fixed": 1, "broken": 0, "unknown": 0])
        #expect(replayedText.output.contains("decisions that would change department: 1 of 1 (100.0 %)"), "\(replayedText.output)")
        #expect(
            replayedText.output.contains(
                "agents' feedback: 1 tickets can be judged; what was decided was right on 0 (0.0 %), the candidate would be on 1 (100.0 %): 1 more right"),
            "\(replayedText.output)")
        #expect(explained.status == 0, "\(explained.error)")
        let lines = explained.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ticket \(id) (generic E-1), received ") == true, "\(lines)")
        #expect(lines.contains("      when: body matches 'ORD-(?<order>\\d+)' — held: \"ORD-77\" at 20–26"), "\(lines)")
        #expect(lines.contains("  → stopped: \"stolen-card\" decides fraud_security; no model is asked"), "\(lines)")

        let file = try directory.write(#"{"id": "F-1", "body": "nothing"}"#, to: "ticket.json")
        let fromFile = try Self.run(["rules", "explain", "--config", config.path, "--rules", candidate, "--json", file.path])
        #expect(fromFile.status == 0, "\(fromFile.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fromFile.output.utf8)) as? [String: Any])
        #expect(json["decided_by"] == nil)
        #expect(((json["deciding"] as? [String: Any])?["steps"] as? [[String: Any]])?.first?["rule_id"] as? String == "stolen-card")

        let unknown = try Self.run(["rules", "explain", "--config", config.path, "tkt_unknown"])
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("no ticket tkt_unknown in the store"), "\(unknown.error)")
    }

    @Test("eval scores the local model alone and a configuration's pipeline on held-out labelled tickets: tables, JSON, an HTML report")
    func evalCommand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        let train = directory.url.appendingPathComponent("tickets.csv").path
        // Held out: every 40th of the sample test tickets, and two the security rule decides.
        let heldOut = try TrainingSet.loadCSV(packageRoot.appendingPathComponent("Samples/tickets-test.csv"))
            .enumerated().filter { $0.offset % 40 == 0 }.map(\.element)
            + [LabeledText(text: "My card was stolen on the train", label: "fraud_security"),
               LabeledText(text: "I lost my card yesterday, please block it", label: "fraud_security")]
        let test = try directory.write(String(decoding: TrainingSet.csv(heldOut), as: UTF8.self), to: "test.csv").path

        let local = try Self.run(["eval", "--train", train, "--test", test, "--json"])
        #expect(local.status == 0, "\(local.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(local.output.utf8)) as? [String: Any], "\(local.output)")
        let accuracy = try #require(json["accuracy"] as? Double)
        #expect(accuracy > 0.8 && accuracy <= 1, "a fraction: \(accuracy)")
        #expect((json["macro_f1"] as? Double).map { $0 > 0.7 && $0 <= 1 } == true)
        #expect(json["mode"] as? String == "local_model")
        #expect((json["scoring"] as? [String: Any])?["tickets"] as? Int == heldOut.count)
        let confusion = try #require(json["confusion"] as? [String: Any])
        let labels = try #require(confusion["labels"] as? [String])
        let matrix = try #require(confusion["matrix"] as? [[Int]])
        #expect(labels.count == 8 && matrix.count == 8 && matrix.allSatisfy { $0.count == 9 })
        #expect(matrix.joined().reduce(0, +) == heldOut.count)
        let right = labels.indices.reduce(0) { $0 + matrix[$1][$1] }
        #expect(abs(Double(right) / Double(heldOut.count) - accuracy) < 1e-9, "the diagonal is what was right")
        #expect(local.error.isEmpty, "no progress bar when standard error is not a terminal: \(local.error)")

        let html = directory.url.appendingPathComponent("report.html").path
        let pipeline = try Self.run(["eval", "--config", config.path, "--train", train, "--test", test, "--html", html])
        #expect(pipeline.status == 0, "\(pipeline.error)")
        let lines = pipeline.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Pipeline trained on \(TrainingSample.rows) tickets") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("accuracy ") && $0.contains("macro-F1") }, "\(lines)")
        let rule = try #require(lines.first { $0.hasPrefix("  rule ") }, "the security rule decided: \(lines)")
        #expect(rule.contains("100.00 %"), "both rule decisions right: \(rule)")
        #expect(lines.contains { $0.hasPrefix("  model ") }, "\(lines)")
        #expect(lines.contains("Reliability (is a confidence of 0.8 right 80 % of the time?)"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>") && page.contains("<svg") && page.contains("class=\"bin\""))
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("href="), "self-contained: nothing loaded from elsewhere")

        let broken = try directory.write("text,department\n\"fine\",cards\n\"one\",two,three\n", to: "broken.csv").path
        let failed = try Self.run(["eval", "--train", train, "--test", broken])
        #expect(failed.status == 1)
        #expect(failed.error.contains("broken.csv:3"), "\(failed.error)")
    }

    @Test("calibrate finds thresholds on held-out tickets and prints the abstention section; with it, eval routes fewer tickets, more of them right")
    func calibrateCommand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var setup = ServerSetup()
        setup.extraDepartments = "  - { id: human_triage, name: Human triage }"
        setup.zendeskTargetsExtra = "      human_triage: 109"
        let text = try setup.configuration(in: directory)
        let config = try directory.write(text, to: "switchyard.yaml")
        let sample = try TrainingSet.loadCSV(packageRoot.appendingPathComponent("Samples/tickets-test.csv"))
        func slice(_ offset: Int) -> [LabeledText] { sample.enumerated().filter { $0.offset % 10 == offset }.map(\.element) }
        let calibration = try directory.write(String(decoding: TrainingSet.csv(slice(1)), as: UTF8.self), to: "calibration.csv").path
        let test = try directory.write(String(decoding: TrainingSet.csv(slice(2)), as: UTF8.self), to: "test.csv").path

        let json = try Self.run(["calibrate", "--config", config.path, "--tickets", calibration, "--target", "0.97", "--min-decisions", "20", "--json"])
        #expect(json.status == 0, "\(json.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], "\(json.output)")
        #expect(report["target_precision"] as? Double == 0.97 && report["department"] as? String == "human_triage")
        let rows = try #require(report["departments"] as? [[String: Any]])
        #expect(rows.count >= 6, "\(rows)")
        for row in rows where row["own_threshold"] as? Bool == true {
            let threshold = try #require(row["threshold"] as? Double)
            #expect((0...1).contains(threshold))
            if threshold < 1 { #expect((row["precision"] as? Double ?? 0) >= 0.97, "\(row)") }
        }

        let printed = try Self.run(["calibrate", "--config", config.path, "--tickets", calibration, "--target", "0.97", "--min-decisions", "20"])
        #expect(printed.status == 0, "\(printed.error)")
        let lines = printed.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "abstention:"), "\(printed.output)")
        #expect(lines[start + 1] == "  department: human_triage")
        let calibrated = try directory.write(text + "\n" + lines[start...].joined(separator: "\n") + "\n", to: "calibrated.yaml")

        let train = directory.url.appendingPathComponent("tickets.csv").path
        func evaluate(_ config: URL) throws -> [String: Any] {
            let run = try Self.run(["eval", "--config", config.path, "--train", train, "--test", test, "--json"])
            #expect(run.status == 0, "\(run.error)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
        }
        let before = try evaluate(config)
        let after = try evaluate(calibrated)
        #expect(before["abstention_rate"] as? Double == 0)
        let abstained = try #require(after["abstention_rate"] as? Double)
        #expect(abstained > 0 && abstained < 0.5, "\(abstained)")
        let routedRight = try #require(after["automatic_precision"] as? Double)
        #expect(routedRight > (before["accuracy"] as? Double ?? 1), "what is routed is right more often: \(routedRight)")
        #expect((after["stages"] as? [[String: Any]])?.contains { $0["stage"] as? String == "abstained" } == true)

        let none = try Self.run(["calibrate", "--config", config.path])
        #expect(none.status != 0 && none.error.contains("give --tickets FILE or --from-feedback"), "\(none.error)")
    }

    @Test("batch classifies a file through the pipeline, records a bad line without stopping, and resumes after an interruption")
    func batchCommand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try writeConfiguration(in: directory)
        let good = [
            #"{"id": "B-1", "subject": "Help", "body": "I lost my card on the train yesterday"}"#,
            #"{"id": "B-2", "body": "I ordered a new card two weeks ago and it still has not arrived"}"#,
            #"{"id": "B-3", "body": "Why was I charged a fee for topping up?"}"#,
            #"{"id": "B-4", "body": "My transfer to my landlord has not arrived"}"#,
        ]
        let input = try directory.write((good + ["{not json"]).joined(separator: "\n") + "\n", to: "tickets.jsonl")
        let output = directory.url.appendingPathComponent("decisions.jsonl")
        func lines() throws -> [[String: Any]] {
            try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }

        let first = try Self.run(["batch", "--config", config.path, "--input", input.path, "--output", output.path])
        #expect(first.status == 1, "a line could not be read: \(first.output) \(first.error)")
        #expect(first.error.contains("tickets.jsonl:5: not a JSON object"), "\(first.error)")
        #expect(first.output.hasPrefix("Decided 4 tickets in "), "\(first.output)")
        #expect(first.output.contains("1 could not be read"), "\(first.output)")
        let written = try lines()
        #expect(written.count == 5)
        let stolen = try #require(written.first { $0["id"] as? String == "B-1" })
        let decision = try #require(stolen["decision"] as? [String: Any])
        #expect(decision["department"] as? String == "fraud_security")
        #expect((decision["provenance"] as? [String: Any])?["stage"] as? String == "rule")
        #expect((stolen["explanation"] as? String)?.contains("rule lost-or-stolen-card matched") == true)
        #expect(written.contains { $0["id"] as? String == "#5" && ($0["error"] as? String)?.contains("not a JSON object") == true })

        // Interrupted after two decisions, in the middle of writing the third; the bad line fixed.
        let decided = written.filter { $0["decision"] != nil }.prefix(2)
        let kept = try decided.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        try Data((kept.joined(separator: "\n") + "\n" + #"{"id": "B-9", "deci"#).utf8).write(to: output)
        try directory.write((good + [#"{"id": "B-5", "body": "How do I change my PIN?"}"#]).joined(separator: "\n") + "\n", to: "tickets.jsonl")
        let resumed = try Self.run(["batch", "--config", config.path, "--input", input.path, "--output", output.path])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.hasPrefix("Decided 3 tickets in ") && resumed.output.contains("2 already in"), "\(resumed.output)")
        let after = try lines()
        #expect(after.count == 5 && after.allSatisfy { $0["decision"] != nil }, "the half line is gone: \(after)")
        #expect(Set(after.compactMap { $0["id"] as? String }) == ["B-1", "B-2", "B-3", "B-4", "B-5"])

        let csv = try directory.write("ticket,text\nC-1,\"My card was stolen, help\"\nC-2,Where is my refund?\n", to: "batch.csv")
        let fromCSV = try Self.run([
            "batch", "--config", config.path, "--input", csv.path, "--output", output.path, "--id-column", "ticket", "--fresh",
        ])
        #expect(fromCSV.status == 0, "\(fromCSV.error)")
        #expect(try lines().compactMap { $0["id"] as? String }.sorted() == ["C-1", "C-2"], "--fresh started over")

        try directory.write(good[0] + "\n" + good[0] + "\n", to: "twice.jsonl")
        let twice = try Self.run([
            "batch", "--config", config.path, "--input", directory.url.appendingPathComponent("twice.jsonl").path, "--output", output.path,
        ])
        #expect(twice.status == 1 && twice.error.contains("ids must be unique to resume"), "\(twice.error)")
    }

    /// Runs the real binary with `arguments` (and `input` on standard input) to its end.
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        let executable: URL = try #require(Self.executable, "the switchyard binary is built beside the tests")
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
