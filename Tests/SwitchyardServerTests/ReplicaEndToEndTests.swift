import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardTestSupport
import Testing

/// Three real `switchyard serve` processes on one PostgreSQL database, webhooks spread across
/// them (with retried deliveries sent to another replica), one killed with SIGKILL halfway.
@Suite struct ReplicaEndToEndTests {
    static let replicas = 3
    static let tickets = 3000
    static let lease = 120  // seconds: the takeover must come from the heartbeat (2 s), far sooner

    @Test("every ticket answered 2xx is stored once, decided once and written back once, whichever replica took it")
    func replicasShareTheWork() async throws {
        try await TestPostgres.withDatabase { url in
            let received = Shared<[String: Int]>([:])
            try await ScriptedHTTPServer.withServer(handler: { request, _ in
                if let ticket = try? request.json()["ticket_id"] as? String {
                    received.update { $0[ticket, default: 0] += 1 }
                }
                return ScriptedResponse()
            }) { platform in
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                var setup = ServerSetup()
                setup.genericCallbackURL = platform.baseURL + "/callback"
                setup.modelDeadline = "1s"
                setup.storage = """
                      engine: postgres
                      url: \(url)
                      tls: disable
                      pool_size: 6
                      heartbeat_interval: 500ms
                      instance_timeout: 2s
                    """
                setup.serverExtra = "  rate_limit: off"  // 3,000 deliveries in seconds, far over any one platform's pace
                let text = try setup.configuration(in: directory).replacingOccurrences(of: "lease: 30s", with: "lease: \(Self.lease)s")
                let config = try directory.write(text, to: "switchyard.yaml")

                // Started together on an empty database: one trains the local model, the others wait for it.
                let servers = try await ProcessLifecycleTests.RunningServer.startAll(
                    config: config, in: directory, names: (0..<Self.replicas).map { "replica-\($0)" })
                defer { for server in servers { kill(server.process.processIdentifier, SIGKILL) } }
                let logs = try servers.map { try String(contentsOf: $0.log, encoding: .utf8) }
                #expect(logs.filter { $0.contains("Trained the local model") }.count == 1, "one replica trains")
                #expect(logs.filter { $0.contains("Loaded the local model") }.count == Self.replicas - 1, "the others load what it trained")
                let ports = servers.map(\.port)
                let victim = servers[0]

                // Deliveries: ticket n goes to replica n % 3; every 10th is delivered again to the next
                // replica (a platform retrying after a lost answer). Deliveries to the killed replica
                // fail and are retried on the others, as a platform would.
                let accepted = Shared<[String: Set<String>]>([:])
                let killed = Shared(false)
                let client = HTTPClient.shared
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let lanes = 32
                    for lane in 0..<lanes {
                        group.addTask {
                            var number = lane
                            while number < Self.tickets {
                                if number == Self.tickets / 2 {
                                    kill(victim.process.processIdentifier, SIGKILL)
                                    killed.update { $0 = true }
                                }
                                let body = #"{"id": "R-\#(number)", "body": "Where is my card? I ordered it last week."}"#
                                var deliveries = [number % Self.replicas]
                                if number % 10 == 0 { deliveries.append((number + 1) % Self.replicas) }
                                for first in deliveries {
                                    let id = try await Self.deliver(body, client: client, ports: ports, first: first, skipVictim: killed.value)
                                    accepted.update { _ = $0["R-\(number)", default: []].insert(id) }
                                }
                                number += lanes
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let killedAt = ContinuousClock.now
                #expect(try await victim.waitForExit(timeout: .seconds(10)) == SIGKILL)

                let answers = accepted.value
                #expect(answers.count == Self.tickets, "every ticket got a 2xx from some replica")
                #expect(answers.values.allSatisfy { $0.count == 1 }, "a retried delivery, on any replica, is the same ticket")

                _ = try await eventually(timeout: .seconds(Double(Self.lease) * 0.8), "every ticket written back (\(received.value.count) of \(Self.tickets) so far)") { () -> Bool? in
                    received.value.count == Self.tickets ? true : nil
                }
                let takeover = ContinuousClock.now - killedAt
                #expect(takeover < .seconds(Self.lease), "the killed replica's tickets were taken over in \(takeover), not after the lease")

                let counts = received.value
                let repeats = counts.values.filter { $0 > 1 }.count
                #expect(repeats <= 8, "at most the deliveries in flight at the kill are repeated; \(repeats) were")

                // Decided once: one decision in each ticket's history, asked of the surviving replicas.
                let survivors = Array(ports.dropFirst())
                for (index, (_, ids)) in answers.enumerated() {
                    let (status, json) = try await ProcessLifecycleTests.request(
                        client, .GET, port: survivors[index % survivors.count], path: "/v1/tickets/\(ids.first!)")
                    #expect(status == 200)
                    #expect((json["decisions"] as? [Any])?.count == 1, "ticket \(ids.first!) decided \((json["decisions"] as? [Any])?.count ?? 0) times")
                }
            }
        }
    }

    /// Delivers `body`, starting with replica `first` and moving on to the next replica when one
    /// does not answer; returns the ticket id of the 2xx answer.
    static func deliver(_ body: String, client: HTTPClient, ports: [Int], first: Int, skipVictim: Bool) async throws -> String {
        var lastError: (any Error)?
        for offset in 0..<ports.count * 2 {
            let index = (first + offset) % ports.count
            if skipVictim && index == 0 { continue }
            do {
                let (status, json) = try await ProcessLifecycleTests.request(
                    client, .POST, port: ports[index], path: "/webhooks/generic", body: body)
                if (200..<300).contains(status), let id = json["ticket_id"] as? String { return id }
                lastError = TimedOut(description: "replica \(index) answered \(status)")
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TimedOut(description: "no replica took the delivery")
    }
}
