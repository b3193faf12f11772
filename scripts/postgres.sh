#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests: a new cluster in a temporary folder,
# owned by a non-root user, on a free port on 127.0.0.1. Source it (`. scripts/postgres.sh`):
# it exports SWITCHYARD_TEST_POSTGRES_URL and stops and removes the server when the calling
# shell exits. Fails with a clear message when PostgreSQL is not installed (scripts/setup.sh
# installs it).
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "postgres: PostgreSQL's server is not installed (apt-get install postgresql); the store tests need it" >&2
    return 1 2>/dev/null || exit 1
fi

switchyard_pg_dir=$(mktemp -d /tmp/switchyard-postgres.XXXXXX)
run_as=()
if [ "$(id -u)" = 0 ]; then
    # The server refuses to run as root: run it as the postgres user the package created.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$switchyard_pg_dir"
    run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"${run_as[@]}" "$pg_bin/initdb" -D "$switchyard_pg_dir/data" -U switchyard -A trust -E UTF8 --no-sync >"$switchyard_pg_dir/initdb.log" 2>&1 || {
    cat "$switchyard_pg_dir/initdb.log" >&2
    return 1 2>/dev/null || exit 1
}
# fsync off: a test server's data need not survive a power cut, and it saves minutes.
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$switchyard_pg_dir/data" -l "$switchyard_pg_dir/server.log" -w -t 60 \
    -o "-p $port -k $switchyard_pg_dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c full_page_writes=off" \
    start >/dev/null || {
    cat "$switchyard_pg_dir/server.log" >&2
    return 1 2>/dev/null || exit 1
}

switchyard_pg_stop() {
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$switchyard_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$switchyard_pg_dir"
}
trap switchyard_pg_stop EXIT

export SWITCHYARD_TEST_POSTGRES_URL="postgres://switchyard@127.0.0.1:$port/postgres"
echo "postgres: throw-away server on 127.0.0.1:$port ($("$pg_bin/postgres" --version))" >&2
