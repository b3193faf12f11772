/// The store's tables, as an append-only list of named migrations: never edit or rename a
/// released step, add a new one. PostgreSQL's schema (in `SwitchyardPostgres`) holds the same
/// tables and columns.
///
/// Timestamps are Unix milliseconds (`INTEGER`). Status values are the raw values of
/// `TicketStatus` and `OutboxStatus`; queries spell them as literals so that SQLite can use
/// the partial indexes.
enum Schema {
    static let migrations: [Migration] = [
        Migration(
            name: "0001-initial",
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
        ),
        Migration(
            name: "0002-replicas",
            summary: "decision history, instances and claims, job leases, retention",
            sql: """
                -- Decisions are history: one row per decision, the latest is current.
                ALTER TABLE decisions RENAME TO decisions_0001;
                CREATE TABLE decisions (
                    id INTEGER PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    department TEXT NOT NULL,
                    priority TEXT,
                    tags TEXT NOT NULL,              -- JSON array of strings
                    confidence REAL NOT NULL,
                    stage TEXT NOT NULL,
                    decided_by TEXT,
                    model_version TEXT,
                    ruleset_version TEXT NOT NULL,
                    provenance TEXT NOT NULL,        -- JSON Provenance
                    decided_at INTEGER NOT NULL
                );
                INSERT INTO decisions (ticket_id, department, priority, tags, confidence, stage, decided_by,
                    ruleset_version, provenance, decided_at)
                SELECT ticket_id, department, priority, tags, confidence, stage,
                    json_extract(provenance, '$.decided_by'), coalesce(json_extract(provenance, '$.ruleset_version'), ''),
                    provenance, decided_at
                FROM decisions_0001 ORDER BY decided_at;
                DROP TABLE decisions_0001;
                CREATE INDEX decisions_by_ticket ON decisions (ticket_id, id);

                -- Claims name the instance that holds them.
                ALTER TABLE tickets ADD COLUMN claimed_instance TEXT;
                ALTER TABLE tickets ADD COLUMN purged_at INTEGER;
                CREATE INDEX tickets_by_instance ON tickets (claimed_instance) WHERE status = 'claimed';
                CREATE INDEX tickets_retention ON tickets (received_at) WHERE status = 'decided' AND purged_at IS NULL;

                ALTER TABLE outbox ADD COLUMN decision_id INTEGER REFERENCES decisions (id);
                ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
                ALTER TABLE outbox ADD COLUMN claimed_instance TEXT;
                UPDATE outbox SET decision_id = (SELECT max(id) FROM decisions WHERE decisions.ticket_id = outbox.ticket_id);

                ALTER TABLE feedback ADD COLUMN decision_id INTEGER REFERENCES decisions (id);
                UPDATE feedback SET decision_id = (SELECT max(id) FROM decisions WHERE decisions.ticket_id = feedback.ticket_id);

                CREATE TABLE instances (
                    id TEXT NOT NULL PRIMARY KEY,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    heartbeat_at INTEGER NOT NULL
                );
                CREATE TABLE job_leases (
                    name TEXT NOT NULL PRIMARY KEY,
                    owner TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                """
        ),
        Migration(
            name: "0003-decision-fields",
            summary: "values rules set on a decision (fields)",
            sql: """
                ALTER TABLE decisions ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';  -- JSON object of strings
                """
        ),
        Migration(
            name: "0004-ticket-platform-fields",
            summary: "the platform's own priority and status on tickets",
            sql: """
                ALTER TABLE tickets ADD COLUMN platform_priority TEXT;
                ALTER TABLE tickets ADD COLUMN platform_status TEXT;
                """
        ),
        Migration(
            name: "0005-ticket-original-body",
            summary: "the body as the platform sent it, beside the cleaned text rules and models read",
            sql: """
                ALTER TABLE tickets ADD COLUMN original_body TEXT;
                """
        ),
        Migration(
            name: "0006-tickets-by-external-id",
            summary: "finding a ticket by the platform's id, for updates",
            sql: """
                CREATE INDEX tickets_by_external_id ON tickets (source, external_id);
                """
        ),
        Migration(
            name: "0007-outbox-due-by-adapter",
            summary: "claiming one adapter's due write-backs, for per-adapter delivery",
            sql: """
                CREATE INDEX outbox_due_by_adapter ON outbox (status, adapter, next_attempt_at, id);
                """
        ),
        Migration(
            name: "0008-provider-spending",
            summary: "each model provider's reserved and settled spending per day, for its daily budget",
            sql: """
                CREATE TABLE provider_spending (
                    provider TEXT NOT NULL,
                    day TEXT NOT NULL,                 -- YYYY-MM-DD, UTC
                    reserved_micros INTEGER NOT NULL,  -- millionths of a US dollar
                    spent_micros INTEGER NOT NULL,
                    PRIMARY KEY (provider, day)
                );
                """
        ),
        Migration(
            name: "0009-model-answer-cache",
            summary: "model answers cached by the exact prompt, with an expiry",
            sql: """
                CREATE TABLE model_answers (
                    key TEXT NOT NULL PRIMARY KEY,     -- SHA-256 of the provider, model and prompt sent
                    answer TEXT NOT NULL,              -- the validated answer's JSON
                    expires_at INTEGER NOT NULL
                );
                CREATE INDEX model_answers_by_expiry ON model_answers (expires_at);
                """
        ),
        Migration(
            name: "0010-deferred-tickets",
            summary: "tickets of low-priority sources wait behind the others until a time",
            sql: """
                ALTER TABLE tickets ADD COLUMN deferred_until INTEGER;  -- NULL once claimed
                DROP INDEX tickets_queued;
                CREATE INDEX tickets_queued ON tickets (received_at) WHERE status = 'queued' AND deferred_until IS NULL;
                CREATE INDEX tickets_deferred ON tickets (deferred_until) WHERE status = 'queued' AND deferred_until IS NOT NULL;
                """
        ),
        Migration(
            name: "0011-decisions-by-time",
            summary: "decisions read by when they were made, for quality figures",
            sql: """
                CREATE INDEX decisions_by_time ON decisions (decided_at);
                CREATE INDEX feedback_by_decision ON feedback (decision_id, id);
                """
        ),
    ]
}
