/*
 * The floor of the intake's SQLite work on this machine: the store's own schema and its
 * exact intake INSERT, with nothing else around it (no HTTP, no Swift, no threads).
 *
 *   store-floor <schema.sql> <db-path> <batch> <tickets> <FULL|NORMAL>
 *
 * Opens <db-path> as the server does (WAL, the given synchronous mode), applies the schema,
 * then inserts <tickets> tickets shaped like Benchmarks/wrk.lua's, <batch> per transaction
 * (BEGIN IMMEDIATE ... COMMIT, as the group commit does), and prints one line:
 *
 *   FLOOR batch=… sync=… tickets=… commits=… cpu_us_per_ticket=… sys_us_per_ticket=… wall_us_per_ticket=…
 *
 * Built and run by Benchmarks/store-floor.sh; see Benchmarks/README.md.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void fail(sqlite3 *db, const char *what) {
    fprintf(stderr, "store-floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, file) != (size_t)size) { perror(path); exit(1); }
    text[size] = 0;
    fclose(file);
    return text;
}

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: store-floor <schema.sql> <db-path> <batch> <tickets> <FULL|NORMAL>\n");
        return 2;
    }
    const char *schema_path = argv[1], *db_path = argv[2], *sync = argv[5];
    long batch = strtol(argv[3], NULL, 10), tickets = strtol(argv[4], NULL, 10);
    if (batch < 1 || tickets < batch || (strcmp(sync, "FULL") && strcmp(sync, "NORMAL"))) {
        fprintf(stderr, "store-floor: batch >= 1, tickets >= batch, sync FULL or NORMAL\n");
        return 2;
    }

    sqlite3 *db = NULL;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) fail(db, "open");
    char pragmas[128];
    snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s; PRAGMA foreign_keys = ON", sync);
    if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) fail(db, "pragmas");
    char *schema = read_file(schema_path);
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) fail(db, "schema");

    /* The statement SQLiteStore.accept runs, word for word. */
    const char *insert_sql =
        "INSERT INTO tickets (id, source, idempotency_key, external_id, subject, body, requester_name, "
        "requester_email, tags, channel, language, custom_fields, received_at, status, attempts) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', 0) "
        "ON CONFLICT (source, idempotency_key) DO NOTHING";
    sqlite3_stmt *insert = NULL, *begin = NULL, *commit = NULL;
    if (sqlite3_prepare_v2(db, insert_sql, -1, &insert, NULL) != SQLITE_OK) fail(db, "prepare insert");
    if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK) fail(db, "prepare begin");
    if (sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) fail(db, "prepare commit");

    const char *subject = "Card hasn't arrived";
    const char *body = "I was told my new card would arrive within 5 working days. It's been two weeks and "
                       "nothing has come. Can you check where it is?";
    /* A fixed 64-hex-digit stand-in for the body's SHA-256: hashing is the pool's work, not SQLite's. */
    const char *digest = "9f2c4e1a7b3d5f60812a4c6e8b0d2f4163a5c7e9b1d3f5072a4c6e8b0d2f4163";

    struct rusage before, after;
    struct timespec wall_before, wall_after;
    getrusage(RUSAGE_SELF, &before);
    clock_gettime(CLOCK_MONOTONIC, &wall_before);
    long n = 0, commits = 0;
    char id[40], external[40], key[128];
    while (n < tickets) {
        if (sqlite3_step(begin) != SQLITE_DONE) fail(db, "begin");
        sqlite3_reset(begin);
        for (long i = 0; i < batch && n < tickets; i++, n++) {
            /* ids in the shape of the server's: time-ordered, so they append to the id index. */
            snprintf(id, sizeof id, "tkt_01M84HE5%014ld", n);
            snprintf(external, sizeof external, "bench-floor-1-%ld", n);
            snprintf(key, sizeof key, "%s:%s", external, digest);
            sqlite3_bind_text(insert, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 2, "generic", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 3, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 4, external, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 5, subject, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 6, body, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 7, "Priya Natarajan", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 8, "priya.natarajan@example.com", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 9, "[\"mobile_app\"]", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 10, "chat", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 11, "en", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 12, "{\"customer_since\":\"2019\",\"plan\":\"premium\",\"vip\":\"false\"}", -1, SQLITE_STATIC);
            sqlite3_bind_int64(insert, 13, 1795000000000LL + n);
            if (sqlite3_step(insert) != SQLITE_DONE) fail(db, "insert");
            if (sqlite3_changes(db) != 1) fail(db, "insert stored nothing");
            sqlite3_reset(insert);
        }
        if (sqlite3_step(commit) != SQLITE_DONE) fail(db, "commit");
        sqlite3_reset(commit);
        commits++;
    }
    clock_gettime(CLOCK_MONOTONIC, &wall_after);
    getrusage(RUSAGE_SELF, &after);

    double user = seconds(after.ru_utime) - seconds(before.ru_utime);
    double sys = seconds(after.ru_stime) - seconds(before.ru_stime);
    double wall = (double)(wall_after.tv_sec - wall_before.tv_sec) + (double)(wall_after.tv_nsec - wall_before.tv_nsec) / 1e9;
    printf("FLOOR batch=%ld sync=%s tickets=%ld commits=%ld cpu_us_per_ticket=%.1f sys_us_per_ticket=%.1f wall_us_per_ticket=%.1f\n",
           batch, sync, n, commits, (user + sys) / (double)n * 1e6, sys / (double)n * 1e6, wall / (double)n * 1e6);

    sqlite3_finalize(insert);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    free(schema);
    return 0;
}
