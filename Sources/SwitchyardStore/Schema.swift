/// The store's tables, as an append-only list of migrations: never edit a released step,
/// add a new one.
///
/// Timestamps are Unix milliseconds (`INTEGER`). Status values are the raw values of
/// `TicketStatus` and `OutboxStatus`; queries spell them as literals so that SQLite can use
/// the partial indexes.
enum Schema {
    static let migrations: [Migration] = [
        Migration(
            summary: "tickets, decisions, outbox, feedback, artifacts",
            sql: """
                CREATE TABLE tickets (
                    id TEXT NOT NULL PRIMARY KEY,
                    source TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    external_id TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    requester_name TEXT,
                    requester_email TEXT,
                    tags TEXT NOT NULL,              -- JSON array of strings
                    channel TEXT,
                    language TEXT,
                    custom_fields TEXT NOT NULL,     -- JSON object of strings
                    status TEXT NOT NULL CHECK (status IN ('queued', 'claimed', 'decided')),
                    claimed_by TEXT,
                    lease_expires_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    received_at INTEGER NOT NULL,
                    UNIQUE (source, idempotency_key)
                );
                CREATE INDEX tickets_queued ON tickets (received_at) WHERE status = 'queued';
                CREATE INDEX tickets_leased ON tickets (lease_expires_at) WHERE status = 'claimed';

                CREATE TABLE decisions (
                    ticket_id TEXT NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
                    department TEXT NOT NULL,
                    priority TEXT,
                    tags TEXT NOT NULL,              -- JSON array of strings
                    confidence REAL NOT NULL,
                    stage TEXT NOT NULL,             -- provenance.stage, for grouping by stage
                    provenance TEXT NOT NULL,        -- JSON Provenance
                    decided_at INTEGER NOT NULL
                );

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    adapter TEXT NOT NULL,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    headers TEXT NOT NULL,           -- JSON object of strings, never secrets
                    body BLOB NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT,
                    last_response_status INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    delivered_at INTEGER
                );
                CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
                CREATE INDEX outbox_by_status ON outbox (status, id);
                CREATE INDEX outbox_by_ticket ON outbox (ticket_id, id);

                CREATE TABLE feedback (
                    id INTEGER PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
                    department TEXT,
                    agent TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX feedback_by_ticket ON feedback (ticket_id, id);

                CREATE TABLE artifacts (
                    name TEXT NOT NULL PRIMARY KEY,
                    fingerprint TEXT NOT NULL,
                    data BLOB NOT NULL
                );
                """
        )
    ]
}
