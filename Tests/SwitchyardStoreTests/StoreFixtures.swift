import Foundation
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardPostgres
import SwitchyardSQLite
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// Predictable ticket ids: `tkt_0001`, `tkt_0002`, …
final class SequentialIdentifiers: IdentifierGenerator {
    private let counter = Mutex(0)

    func next(prefix: String) -> String {
        let number = counter.withLock { value in
            value += 1
            return value
        }
        return prefix + "_" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number)
    }
}

/// The engines every conformance test runs against.
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// Where a test's store lives: a fresh SQLite file in its own folder, or a fresh PostgreSQL
/// database on the test server. `open` may be called again to reopen the same store.
struct StoreLocation: Sendable {
    let engine: Engine
    /// The SQLite file, or the PostgreSQL URL.
    let address: String

    /// A logger that drops everything: tests never touch the global logging system.
    static let quietLogger = Logger(label: "switchyard.store.tests") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` with a fresh location, removed afterwards.
    static func withFresh<R: Sendable>(_ engine: Engine, _ body: (StoreLocation) async throws -> R) async throws -> R {
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory
                .appending(path: "switchyard-store-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
            defer { try? FileManager.default.removeItem(at: folder) }
            return try await body(StoreLocation(engine: .sqlite, address: folder.appending(path: "data/switchyard.sqlite").path))
        case .postgres:
            return try await TestPostgres.withDatabase { url in try await body(StoreLocation(engine: .postgres, address: url)) }
        }
    }

    /// Opens the store here, runs `body`, and closes it.
    func open<R: Sendable>(
        identifiers: any IdentifierGenerator = SequentialIdentifiers(), _ body: (any TicketStore) async throws -> R
    ) async throws -> R {
        switch engine {
        case .sqlite:
            return try await SQLiteStore.withStore(path: address, identifiers: identifiers, logger: Self.quietLogger, body)
        case .postgres:
            var settings = try PostgresSettings(url: address)
            settings.poolSize = 4  // tests run in parallel, each with its own pool
            return try await PostgresStore.withStore(settings, identifiers: identifiers, logger: Self.quietLogger, body)
        }
    }
}

/// Runs `body` with an open store of `engine` in a fresh location; closes and removes it afterwards.
func withStore<R: Sendable>(
    _ engine: Engine,
    identifiers: any IdentifierGenerator = SequentialIdentifiers(),
    _ body: (any TicketStore) async throws -> R
) async throws -> R {
    try await StoreLocation.withFresh(engine) { location in try await location.open(identifiers: identifiers, body) }
}

extension Claim {
    /// A claim of the test instance with token `token`.
    static func named(_ token: String) -> Claim {
        Claim(instance: "test-instance", token: token)
    }

    /// The claim the outbox tests deliver with.
    static let deliverer = Claim.named("deliverer-a")
}

/// Awaits `condition` without sleeping blindly: checks it every millisecond until `timeout`.
func waitUntil(timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    struct TimedOut: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "condition not met within \(timeout)" }
    }
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(timeout: timeout) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

/// A fixed instant (whole seconds, so millisecond storage round-trips exactly).
let t0 = Date(timeIntervalSince1970: 1_750_000_000)

extension Ticket {
    /// A ticket whose text exercises Unicode, an embedded NUL, JSON escapes in tags and custom
    /// fields (stored as JSON text) and every optional field.
    static func sample(_ number: Int, source: String = "generic") -> Ticket {
        Ticket(
            externalID: "ext-\(number)",
            source: source,
            subject: "Card declined #\(number)",
            body: "My card 💳 was declined. Twice — ça m'énerve.",
            requester: Requester(name: "Ana Souza", email: "ana@example.com"),
            tags: ["vip", "card", #"say "hi"\ now"#, "tab\there\u{1F}", "ñandú/🐦"],
            channel: "email",
            language: "pt-BR",
            priority: number.isMultiple(of: 2) ? nil : "P1",
            status: "open",
            customFields: ["plan": "pro", "region": "eu", "note\n\"x\"": "línea 1\nlínea 2\r"],
            originalBody: number.isMultiple(of: 2) ? nil : "<p>My card 💳 was declined. Twice — ça m'énerve.</p><blockquote>earlier</blockquote>"
        )
    }
}

extension Decision {
    static func sample(at date: Date = t0) -> Decision {
        Decision(
            department: "cards",
            priority: .high,
            tags: ["declined"],
            fields: ["order_id": "ORD-1\"2", "note": "línea\n2"],
            confidence: 0.92,
            provenance: Provenance(
                stage: .model,
                decidedBy: "openai/gpt-4o-mini",
                fallbackReasons: ["anthropic/claude: timed out after 5s", #"openai/gpt: answered "sales\n", not a department"#],
                annotatedBy: ["vip-domain", #"has-"order""#],
                rulesetVersion: "rules-abc",
                promptVersion: "prompt-123",
                usage: TokenUsage(promptTokens: 310, completionTokens: 12),
                attempts: [
                    ModelAttempt(
                        provider: "anthropic/claude", outcome: .failed, reason: "timed out after 5s", latencyMilliseconds: 5000.25),
                    ModelAttempt(provider: "openai/gpt", outcome: .failed, reason: "HTTP 429: \"slow\" down", status: 429, latencyMilliseconds: 3.5),
                    ModelAttempt(provider: "openai/gpt-4o-mini", outcome: .skipped, reason: "circuit open"),
                    ModelAttempt(
                        provider: "openai/gpt-4o-mini", outcome: .answered, status: 200, latencyMilliseconds: 640.5,
                        firstTokenMilliseconds: 120.25, usage: TokenUsage(promptTokens: 310, completionTokens: 12), costUSD: 0.0000537),
                ],
                injectionSignals: ["override-instructions", "routing-command"],
                latencyMilliseconds: 812.5,
                trace: RuleTrace(
                    steps: [
                        RuleStep(
                            ruleID: "vip-domain", kind: "annotating", matched: true,
                            tests: [
                                TestStep(
                                    path: "when", field: "tags", test: "in ['vip']", held: true,
                                    spans: [TextSpan(value: 1, start: 0, end: 3)]),
                                TestStep(
                                    path: "when.any[1]", field: "body", test: #"matches '(a+)+$'"#, held: false,
                                    stopped: "match limit reached"),
                            ])
                    ],
                    omitted: 7)
            ),
            decidedAt: date
        )
    }
}

extension WriteBackRequest {
    static func sample(_ externalID: String = "ext-1") -> WriteBackRequest {
        WriteBackRequest(
            adapter: "zendesk",
            method: "PUT",
            url: "https://example.zendesk.com/api/v2/tickets/\(externalID).json",
            headers: ["Content-Type": "application/json"],
            body: Data(#"{"ticket":{"group_id":42}}"#.utf8)
        )
    }
}

extension TicketStore {
    /// Accepts a sample ticket and claims it for `worker`; returns its id.
    func acceptAndClaim(_ number: Int = 1, worker: String = "worker-a", now: Date = t0) async throws -> TicketID {
        let id = try await accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: now).ticketID
        let claimed = try await claimQueued(limit: 1, claim: .named(worker), now: now, lease: .seconds(30))
        precondition(claimed.map(\.id) == [id], "fixture expects an otherwise empty queue")
        return id
    }

    /// A decided ticket with one pending write-back created at `now`; returns the entry.
    func decidedWithWriteBack(_ number: Int = 1, now: Date = t0) async throws -> OutboxEntry {
        let id = try await acceptAndClaim(number, now: now)
        try await recordDecision(.sample(at: now), for: id, claim: .named("worker-a"), writeBacks: [.sample("ext-\(number)")], now: now)
        let record = try await ticket(id)
        guard let entry = record?.writeBacks.first else { throw StoreError.ticketNotFound(id) }
        return entry
    }
}
