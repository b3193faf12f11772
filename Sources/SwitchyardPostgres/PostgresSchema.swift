/// The store's tables in PostgreSQL, as an append-only list of named migrations: never edit
/// or rename a released step, add a new one. The same tables and columns as SQLite's schema;
/// times are `timestamptz`, JSON is `jsonb`.
enum PostgresSchema {
    struct Migration: Sendable {
        /// Stable and unique: `0001-initial`.
        let name: String
        let summary: String
        /// Run in order in one transaction.
        let statements: [String]
    }

    /// The advisory lock key migrations run under (`pg_advisory_lock`), so that replicas
    /// starting at the same moment migrate one after the other.
    static let migrationLock: Int64 = 0x5377_6974_6368_7964  // "Switchyd"

    static let migrations: [Migration] = [
        Migration(
            name: "0001-initial",
            summary: "tickets, decision history, outbox, feedback, artifacts, instances, job leases",
            statements: [
                """
                CREATE TABLE tickets (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id TEXT NOT NULL PRIMARY KEY,
                    source TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    external_id TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    requester_name TEXT,
                    requester_email TEXT,
                    tags JSONB NOT NULL,
                    channel TEXT,
                    language TEXT,
                    custom_fields JSONB NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('queued', 'claimed', 'decided')),
                    claimed_by TEXT,
                    claimed_instance TEXT,
                    lease_expires_at TIMESTAMPTZ,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    received_at TIMESTAMPTZ NOT NULL,
                    purged_at TIMESTAMPTZ,
                    UNIQUE (source, idempotency_key)
                )
                """,
                "CREATE INDEX tickets_open ON tickets (received_at, seq) WHERE status <> 'decided'",
                "CREATE INDEX tickets_by_instance ON tickets (claimed_instance) WHERE status = 'claimed'",
                "CREATE INDEX tickets_retention ON tickets (received_at) WHERE status = 'decided' AND purged_at IS NULL",
                """
                CREATE TABLE decisions (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    department TEXT NOT NULL,
                    priority TEXT,
                    tags JSONB NOT NULL,
                    confidence DOUBLE PRECISION NOT NULL,
                    stage TEXT NOT NULL,
                    decided_by TEXT,
                    model_version TEXT,
                    ruleset_version TEXT NOT NULL,
                    provenance JSONB NOT NULL,
                    decided_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX decisions_by_ticket ON decisions (ticket_id, id)",
                """
                CREATE TABLE outbox (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    decision_id BIGINT REFERENCES decisions (id),
                    adapter TEXT NOT NULL,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    headers JSONB NOT NULL,
                    body BYTEA NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TIMESTAMPTZ NOT NULL,
                    claimed_by TEXT,
                    claimed_instance TEXT,
                    last_error TEXT,
                    last_response_status INTEGER,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    delivered_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'",
                "CREATE INDEX outbox_by_status ON outbox (status, id)",
                "CREATE INDEX outbox_by_ticket ON outbox (ticket_id, id)",
                """
                CREATE TABLE feedback (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    decision_id BIGINT NOT NULL REFERENCES decisions (id),
                    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
                    department TEXT,
                    agent TEXT,
                    created_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX feedback_by_ticket ON feedback (ticket_id, id)",
                """
                CREATE TABLE artifacts (
                    name TEXT NOT NULL PRIMARY KEY,
                    fingerprint TEXT NOT NULL,
                    data BYTEA NOT NULL
                )
                """,
                """
                CREATE TABLE instances (
                    id TEXT NOT NULL PRIMARY KEY,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    heartbeat_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE job_leases (
                    name TEXT NOT NULL PRIMARY KEY,
                    owner TEXT NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                // A ticket queued (new, released, handed over) wakes idle workers on every replica.
                // Notifications with the same payload in one transaction are delivered once.
                """
                CREATE FUNCTION switchyard_ticket_queued() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('\(PostgresStore.ticketChannel)', '');
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER tickets_queued AFTER INSERT OR UPDATE OF status ON tickets
                FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION switchyard_ticket_queued()
                """,
            ]
        ),
        Migration(
            name: "0002-decision-fields",
            summary: "values rules set on a decision (fields)",
            statements: ["ALTER TABLE decisions ADD COLUMN fields JSONB NOT NULL DEFAULT '{}'"]
        ),
        Migration(
            name: "0003-ticket-platform-fields",
            summary: "the platform's own priority and status on tickets",
            statements: [
                "ALTER TABLE tickets ADD COLUMN platform_priority TEXT",
                "ALTER TABLE tickets ADD COLUMN platform_status TEXT",
            ]
        ),
        Migration(
            name: "0004-ticket-original-body",
            summary: "the body as the platform sent it, beside the cleaned text rules and models read",
            statements: ["ALTER TABLE tickets ADD COLUMN original_body TEXT"]
        ),
        Migration(
            name: "0005-tickets-by-external-id",
            summary: "finding a ticket by the platform's id, for updates",
            statements: ["CREATE INDEX tickets_by_external_id ON tickets (source, external_id)"]
        ),
        Migration(
            name: "0006-outbox-due-by-adapter",
            summary: "claiming one adapter's due write-backs, for per-adapter delivery",
            statements: ["CREATE INDEX outbox_due_by_adapter ON outbox (adapter, next_attempt_at, id) WHERE status = 'pending'"]
        ),
        Migration(
            name: "0007-provider-spending",
            summary: "each model provider's reserved and settled spending per day, for its daily budget",
            statements: [
                """
                CREATE TABLE provider_spending (
                    provider TEXT NOT NULL,
                    day TEXT NOT NULL,
                    reserved_micros BIGINT NOT NULL,
                    spent_micros BIGINT NOT NULL,
                    PRIMARY KEY (provider, day)
                )
                """
            ]
        ),
        Migration(
            name: "0008-model-answer-cache",
            summary: "model answers cached by the exact prompt, with an expiry",
            statements: [
                """
                CREATE TABLE model_answers (
                    key TEXT NOT NULL PRIMARY KEY,
                    answer TEXT NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX model_answers_by_expiry ON model_answers (expires_at)",
            ]
        ),
        Migration(
            name: "0009-deferred-tickets",
            summary: "tickets of low-priority sources wait behind the others until a time",
            statements: [
                "ALTER TABLE tickets ADD COLUMN deferred_until TIMESTAMPTZ",
                "DROP INDEX tickets_open",
                "CREATE INDEX tickets_open ON tickets (received_at, seq) WHERE status <> 'decided' AND deferred_until IS NULL",
                "CREATE INDEX tickets_deferred ON tickets (deferred_until, seq) WHERE status = 'queued' AND deferred_until IS NOT NULL",
            ]
        ),
        Migration(
            name: "0010-decisions-by-time",
            summary: "decisions read by when they were made, for quality figures",
            statements: [
                "CREATE INDEX decisions_by_time ON decisions (decided_at)",
                "CREATE INDEX feedback_by_decision ON feedback (decision_id, id)",
            ]
        ),
    ]
}
