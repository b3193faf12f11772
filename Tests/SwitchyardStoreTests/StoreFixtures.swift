import Foundation
import Logging
import Synchronization
import SwitchyardCore
@testable import SwitchyardStore

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

/// A store over a fresh file in its own temporary folder, removed afterwards.
struct TemporaryStore {
    let folder: URL
    var path: String { folder.appending(path: "data/switchyard.sqlite").path }

    /// A logger that drops everything: tests never touch the global logging system.
    static let quietLogger = Logger(label: "switchyard.store.tests") { _ in SwiftLogNoOpLogHandler() }

    /// Opens (or reopens) the store file.
    func open(identifiers: any IdentifierGenerator = SequentialIdentifiers()) throws -> SQLiteStore {
        try SQLiteStore(path: path, identifiers: identifiers, logger: Self.quietLogger)
    }

    /// Runs `body` with a temporary folder that is deleted when it returns or throws.
    static func withFolder<R>(_ body: (TemporaryStore) async throws -> R) async throws -> R {
        let folder = FileManager.default.temporaryDirectory
            .appending(path: "switchyard-store-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(TemporaryStore(folder: folder))
    }
}

/// Runs `body` with an open store on a fresh file; closes it and deletes the file afterwards.
func withStore<R>(
    identifiers: any IdentifierGenerator = SequentialIdentifiers(),
    _ body: (SQLiteStore) async throws -> R
) async throws -> R {
    try await TemporaryStore.withFolder { temporary in
        let store = try temporary.open(identifiers: identifiers)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

/// Awaits `condition` without sleeping blindly: checks it every millisecond until `timeout`.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
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
            body: "My card 💳 was declined.\u{0}Twice — ça m'énerve.",
            requester: Requester(name: "Ana Souza", email: "ana@example.com"),
            tags: ["vip", "card", #"say "hi"\ now"#, "tab\there\u{1F}", "ñandú/🐦"],
            channel: "email",
            language: "pt-BR",
            customFields: ["plan": "pro", "region": "eu", "note\n\"x\"": "línea 1\nlínea 2\r\u{0}"]
        )
    }
}

extension Decision {
    static func sample(at date: Date = t0) -> Decision {
        Decision(
            department: "cards",
            priority: .high,
            tags: ["declined"],
            confidence: 0.92,
            provenance: Provenance(
                stage: .model,
                decidedBy: "openai/gpt-4o-mini",
                fallbackReasons: ["anthropic/claude: timed out after 5s", #"openai/gpt: answered "sales\n", not a department"#],
                rulesetVersion: "rules-abc",
                promptVersion: "prompt-123",
                usage: TokenUsage(promptTokens: 310, completionTokens: 12),
                latencyMilliseconds: 812.5
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

extension SQLiteStore {
    /// Accepts a sample ticket and claims it for `worker`; returns its id.
    func acceptAndClaim(_ number: Int = 1, worker: String = "worker-a", now: Date = t0) async throws -> TicketID {
        let id = try await accept(.sample(number), idempotencyKey: "key-\(number)", receivedAt: now).ticketID
        let claimed = try await claimQueued(limit: 1, worker: worker, now: now, lease: .seconds(30))
        precondition(claimed.map(\.id) == [id], "fixture expects an otherwise empty queue")
        return id
    }

    /// A decided ticket with one pending write-back created at `now`; returns the entry.
    func decidedWithWriteBack(_ number: Int = 1, now: Date = t0) async throws -> OutboxEntry {
        let id = try await acceptAndClaim(number, now: now)
        try await recordDecision(.sample(at: now), for: id, worker: "worker-a", writeBack: .sample("ext-\(number)"), now: now)
        let record = try await ticket(id)
        guard let entry = record?.writeBacks.first else { throw StoreError.ticketNotFound(id) }
        return entry
    }
}
