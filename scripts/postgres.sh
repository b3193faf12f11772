#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: a new cluster in a temporary folder, owned by a
# non-root user, on a free port on 127.0.0.1. Fails with a clear message when PostgreSQL is not
# installed (scripts/setup.sh --tests installs it).
#
#   . scripts/postgres.sh               start one for this shell: exports
#                                       SWITCHYARD_TEST_POSTGRES_URL and stops and removes the
#                                       server when the shell exits (scripts/test.sh does this)
#   bash scripts/postgres.sh start DIR  start the server whose data is in DIR (created on first
#                                       use, same port every time); print its URL and write it
#                                       to DIR/url
#   bash scripts/postgres.sh stop DIR   stop it at once (like a crash), keeping DIR
#
# SWITCHYARD_PG_DURABLE=1 keeps PostgreSQL's durability settings (fsync, full page writes) for
# benchmarks; the tests turn them off, since a test server's data need not survive a power cut.
set -euo pipefail

switchyard_pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$switchyard_pg_bin" ] || [ ! -x "$switchyard_pg_bin/initdb" ]; then
    echo "postgres: PostgreSQL's server is not installed (apt-get install postgresql); the store tests need it" >&2
    return 1 2>/dev/null || exit 1
fi

switchyard_pg_run() {
    if [ "$(id -u)" = 0 ]; then
        # The server refuses to run as root: run it as the postgres user the package created.
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Starts (creating on first use) the server with its data in $1; prints its URL.
switchyard_pg_start() {
    local dir=$1
    if [ ! -f "$dir/port" ]; then
        mkdir -p "$dir"
        if [ "$(id -u)" = 0 ]; then
            id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
            chown postgres "$dir"
        fi
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' >"$dir/port"
        switchyard_pg_run "$switchyard_pg_bin/initdb" -D "$dir/data" -U switchyard -A trust -E UTF8 --no-sync \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    local port
    port=$(cat "$dir/port")
    local durability="-c fsync=off -c full_page_writes=off"
    [ "${SWITCHYARD_PG_DURABLE:-0}" = 1 ] && durability=""
    # In a subshell that closes every descriptor past stderr first: the server outlives this
    # script, and a pipe it inherited would keep whoever started the script waiting for it.
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
        done
        switchyard_pg_run "$switchyard_pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 $durability" \
            start >/dev/null </dev/null
    ) || { cat "$dir/server.log" >&2; return 1; }
    echo "postgres://switchyard@127.0.0.1:$port/postgres" | tee "$dir/url"
}

switchyard_pg_stop() {
    switchyard_pg_run "$switchyard_pg_bin/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: one server for the calling shell.
    switchyard_pg_dir=$(mktemp -d /tmp/switchyard-postgres.XXXXXX)
    rmdir "$switchyard_pg_dir"
    SWITCHYARD_TEST_POSTGRES_URL=$(switchyard_pg_start "$switchyard_pg_dir") || return 1
    export SWITCHYARD_TEST_POSTGRES_URL
    trap 'switchyard_pg_stop "$switchyard_pg_dir"; rm -rf "$switchyard_pg_dir"' EXIT
    echo "postgres: throw-away server at ${SWITCHYARD_TEST_POSTGRES_URL%/postgres} ($("$switchyard_pg_bin/postgres" --version))" >&2
else
    case "${1:-}" in
        start) switchyard_pg_start "${2:?usage: postgres.sh start DIR}" ;;
        stop) switchyard_pg_stop "${2:?usage: postgres.sh stop DIR}" ;;
        *) echo "usage: . scripts/postgres.sh | bash scripts/postgres.sh start|stop DIR" >&2; exit 64 ;;
    esac
fi
