#!/usr/bin/env bash
# Intake throughput and decision latency with PostgreSQL at one and two replicas beside SQLite,
# all measured in one run on this machine against the same GET /healthz baseline.
#
#   bash Benchmarks/replicas.sh              (after Benchmarks/intake.sh has built .build-release,
#                                             or with BUILD=1)
#
# Starts a throw-away PostgreSQL server with its durability settings on (scripts/postgres.sh with
# SWITCHYARD_PG_DURABLE=1: fsync and full page writes, as SQLite's synchronous=FULL), then for
# each setup — SQLite, PostgreSQL with one replica, PostgreSQL with two — starts the release
# binary(ies) on loopback with a fresh store, runs wrk for DURATION seconds of new tickets (two
# replicas: two wrk processes at the same time, half the connections each), waits until every
# ticket is decided, and reads from the store how long each took from arrival to decision.
#
# Environment: THREADS=2 CONNECTIONS=32 DURATION=10 BUILD=0
set -euo pipefail

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10}
BUILD=${BUILD:-0}
HOST=127.0.0.1                 # loopback only
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { printf 'replicas.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$DURATION" in ''|*[!0-9]*) die "DURATION is whole seconds" ;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || die "DURATION must be 1..120 seconds (bounded runs)"
command -v wrk >/dev/null 2>&1 || die "wrk is needed (apt-get install wrk)"
command -v psql >/dev/null 2>&1 || die "psql is needed (apt-get install postgresql-client)"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is needed (apt-get install sqlite3)"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
[ "$BUILD" = 1 ] && swift build -c release --product switchyard --scratch-path .build-release >&2
BIN="$(swift build -c release --product switchyard --scratch-path .build-release --show-bin-path 2>/dev/null)/switchyard"
[ -x "$BIN" ] || die "no release binary at $BIN: run with BUILD=1"

TMP=$(mktemp -d /tmp/switchyard-replicas.XXXXXX)
chmod 755 "$TMP"  # the PostgreSQL server runs as the postgres user
PIDS=()
stop_servers() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
cleanup() {
    stop_servers
    bash scripts/postgres.sh stop "$TMP/postgres" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

PG_URL=$(SWITCHYARD_PG_DURABLE=1 bash scripts/postgres.sh start "$TMP/postgres")
log "PostgreSQL (durable) at ${PG_URL%/postgres}"

# config NAME STORAGE-YAML → writes $TMP/NAME.yaml: the sample's departments, model and triage,
# the generic adapter unsigned without a callback (nothing is written back anywhere).
config() {
    for entry in "$ROOT"/Samples/*; do ln -sfn "$entry" "$TMP/$(basename "$entry")"; done
    {
        printf 'server:\n  host: %s\n  port: 0\n  rate_limit: { per_second: 1000000, burst: 10000000 }\nstorage:\n%s\nrules:\n  directory: %s/Rules\nwebhooks:\n  directory: %s/Webhooks\n' \
            "$HOST" "$2" "$ROOT" "$ROOT"
        printf 'adapters:\n  generic:\n    allow_unsigned: true\n'
        awk '/^[A-Za-z_]+:/ { key = $1; sub(":.*", "", key) }
             key !~ /^(server|storage|rules|webhooks|adapters|access)$/' "$ROOT/Samples/switchyard.yaml"
    } >"$TMP/$1.yaml"
}

# start NAME → starts one server with $TMP/NAME.yaml, prints its port
start() {
    "$BIN" serve --config "$TMP/$1.yaml" --log-level notice >/dev/null 2>"$TMP/$1-$2.log" &
    PIDS+=($!)
    local pid=$! port="" deadline=$((SECONDS + 180))
    while [ -z "$port" ]; do
        kill -0 "$pid" 2>/dev/null || { cat "$TMP/$1-$2.log" >&2; die "server $1 exited at start"; }
        [ "$SECONDS" -lt "$deadline" ] || die "server $1 did not start"
        port=$(grep -o "http://$HOST:[0-9]*" "$TMP/$1-$2.log" | head -1 | sed 's/.*://') || true
        [ -n "$port" ] || sleep 0.2
    done
    echo "$port"
}

field() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" <<<"$1"; }
wrk_run() { # connections url args…
    local connections=$1; shift
    timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --timeout 10s -s "$ROOT/Benchmarks/wrk.lua" "$@" \
        | grep '^BENCH '
}

results=()
# measure NAME ENGINE PORT… → intake req/s (sum over replicas) and decision latency from the store
measure() {
    local name=$1 engine=$2; shift 2
    local ports=("$@") count=$#
    local per=$((CONNECTIONS / count)) run_id="$name-$$" lines=() rps=0
    log "$name: wrk -t$THREADS -c$CONNECTIONS over $count replica(s), ${DURATION}s"
    local outputs=()
    for port in "${ports[@]}"; do
        wrk_run "$per" "http://$HOST:$port/webhooks/generic" -- intake "$run_id-$port" >"$TMP/wrk-$name-$port.txt" &
        outputs+=("$!")
    done
    for pid in "${outputs[@]}"; do wait "$pid"; done
    local accepted=0 non2xx=0 p99=0
    for port in "${ports[@]}"; do
        local line; line=$(cat "$TMP/wrk-$name-$port.txt")
        rps=$(awk -v a="$rps" -v b="$(field "$line" rps)" 'BEGIN { print a + b }')
        accepted=$((accepted + $(field "$line" s202)))
        non2xx=$((non2xx + $(field "$line" other)))
        p99=$(awk -v a="$p99" -v b="$(field "$line" p99_us)" 'BEGIN { print (b > a ? b : a) }')
    done
    # Wait for triage to catch up, then read each ticket's arrival-to-decision time.
    local sql_pending sql_latency
    if [ "$engine" = sqlite ]; then
        local db="$TMP/$name/store/switchyard.sqlite"
        sql() { sqlite3 "$db" "$1"; }
        sql_pending="SELECT count(*) FROM tickets WHERE status <> 'decided'"
        sql_latency="SELECT d.decided_at - t.received_at FROM tickets t JOIN decisions d ON d.ticket_id = t.id ORDER BY 1"
    else
        sql() { psql "$PG_URL" -qtAX -c "$1"; }
        sql_pending="SELECT count(*) FROM tickets WHERE status <> 'decided'"
        sql_latency="SELECT round(extract(epoch FROM d.decided_at - t.received_at) * 1000) FROM tickets t JOIN decisions d ON d.ticket_id = t.id ORDER BY 1"
    fi
    local deadline=$((SECONDS + 300))
    until [ "$(sql "$sql_pending")" = 0 ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "$name: tickets still undecided after 300s"
        sleep 0.5
    done
    sql "$sql_latency" >"$TMP/latency-$name.txt"
    local latency
    latency=$(awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
        printf "p50 %d ms, p99 %d ms, max %d ms (%d tickets)", v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1], v[NR], NR }' \
        "$TMP/latency-$name.txt")
    results+=("$(printf '%-16s %9.1f req/s  ratio %.3f  (202 %d, non-2xx %d, answer p99 %.2f ms)\n%-16s decision latency (arrival to decision) %s' \
        "$name" "$rps" "$(awk -v r="$rps" -v h="$HEALTHZ" 'BEGIN { print r / h }')" "$accepted" "$non2xx" \
        "$(awk -v u="$p99" 'BEGIN { print u / 1000 }')" "" "$latency")")
}

# The baseline: GET /healthz on a SQLite server.
config sqlite "  path: $TMP/sqlite/store/switchyard.sqlite"
port=$(start sqlite 0)
HEALTHZ=$(field "$(wrk_run "$CONNECTIONS" "http://$HOST:$port/healthz" -- get /healthz)" rps)
log "baseline: GET /healthz $HEALTHZ req/s"
measure sqlite sqlite "$port"
stop_servers

postgres_storage() { printf '  engine: postgres\n  url: %s\n  tls: disable\n  pool_size: 10' "$1"; }
for replicas in 1 2; do
    name="postgres-$replicas"
    psql "$PG_URL" -qtAX -c "DROP DATABASE IF EXISTS bench_$replicas" -c "CREATE DATABASE bench_$replicas" >/dev/null
    config "$name" "$(postgres_storage "${PG_URL%/postgres}/bench_$replicas")"
    ports=()
    for index in $(seq 1 "$replicas"); do ports+=("$(start "$name" "$index")"); done
    PG_URL_SAVED=$PG_URL; PG_URL="${PG_URL%/postgres}/bench_$replicas"
    measure "$name" postgres "${ports[@]}"
    PG_URL=$PG_URL_SAVED
    stop_servers
done

cat <<EOF

============ Switchyard replicas benchmark ($(nproc) cores, $(uname -sr)) ============
load             wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on loopback; new tickets only
GET /healthz     $HEALTHZ req/s (baseline, SQLite server)
$(printf '%s\n' "${results[@]}")
=====================================================================================
EOF
