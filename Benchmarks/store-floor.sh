#!/usr/bin/env bash
# The floor of intake's SQLite work on this machine: the store's schema (taken from
# Sources/SwitchyardStore/Schema.swift) and its exact INSERT, run from C with nothing around
# it, at several batch sizes (tickets per commit), fsync'd (synchronous=FULL, what the server
# uses) and not (NORMAL, for comparison only). Prints CPU and wall time per ticket, and each
# FULL figure as a ratio to the NORMAL one measured in the same run.
#
#   bash Benchmarks/store-floor.sh
#
# Environment (all optional):
#   BATCHES="1 6 20"     tickets per commit to measure
#   TICKETS=12000        tickets per measurement
#
# Compare with the `store.writer` figure of Benchmarks/intake.sh's `server CPU` line, and
# with the answers-per-fsync figure it prints for the batch size a load produces.
set -euo pipefail

BATCHES=${BATCHES:-"1 6 20"}
TICKETS=${TICKETS:-12000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'store-floor.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if ! command -v gcc >/dev/null 2>&1 || [ ! -e /usr/include/sqlite3.h ]; then
    log "installing gcc and libsqlite3-dev"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq gcc libsqlite3-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gcc libsqlite3-dev >/dev/null; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-floor.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The first migration's SQL: the lines between `sql: """` and the closing `"""`.
awk '/sql: """/ { inside = 1; next } inside && /^ *"""/ { exit } inside' \
    "$ROOT/Sources/SwitchyardStore/Schema.swift" >"$TMP/schema.sql"
grep -q 'CREATE TABLE tickets' "$TMP/schema.sql" || die "could not read the schema from Schema.swift"

gcc -O2 -o "$TMP/store-floor" "$ROOT/Benchmarks/store-floor.c" -lsqlite3 || die "compiling store-floor.c failed"

# The database lives beside the project's data, not in a tmpfs, so fsync is the disk's.
DBDIR=$(mktemp -d "$ROOT/.build-floor.XXXXXX")
trap 'rm -rf "$TMP" "$DBDIR"' EXIT

measure() { # batch sync -> one FLOOR line
    rm -f "$DBDIR"/floor.sqlite*
    "$TMP/store-floor" "$TMP/schema.sql" "$DBDIR/floor.sqlite" "$1" "$TICKETS" "$2"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

echo "==================== SQLite floor of intake ===================="
echo "machine   $(nproc) cores, $(uname -sr); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?')"
echo "load      $TICKETS tickets per line, schema and INSERT of SwitchyardStore, WAL"
for batch in $BATCHES; do
    full=$(measure "$batch" FULL)
    normal=$(measure "$batch" NORMAL)
    printf 'batch %3s  FULL: cpu %6s µs/ticket (sys %5s), wall %6s µs  |  NORMAL: cpu %6s µs, wall %6s µs  |  FULL/NORMAL cpu %s\n' \
        "$batch" "$(field "$full" cpu_us_per_ticket)" "$(field "$full" sys_us_per_ticket)" "$(field "$full" wall_us_per_ticket)" \
        "$(field "$normal" cpu_us_per_ticket)" "$(field "$normal" wall_us_per_ticket)" \
        "$(awk -v a="$(field "$full" cpu_us_per_ticket)" -v b="$(field "$normal" cpu_us_per_ticket)" 'BEGIN { printf "%.2f", a / b }')"
done
echo "================================================================"
