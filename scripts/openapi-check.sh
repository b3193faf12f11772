#!/usr/bin/env bash
# Checks the live HTTP API against its OpenAPI document (Sources/SwitchyardServer/Resources/
# openapi.json) with schemathesis from PyPI: starts the built `switchyard` binary on a free
# loopback port with a throw-away store and API tokens, lets schemathesis generate requests
# for every operation (valid and invalid ones, with and without the admin token) and fails on
# any 5xx, any answer the document does not describe, any crash. Run by scripts/test.sh after
# `swift build`; uses .venv-openapi for schemathesis.
#
#   bash scripts/openapi-check.sh            MAX_EXAMPLES=30 by default
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${MAX_EXAMPLES:-30}
SCHEMATHESIS_VERSION=4.32.5
binary=.build/debug/switchyard
[ -x "$binary" ] || { echo "openapi-check: build first ($binary is missing)" >&2; exit 1; }

venv=.venv-openapi
if [ ! -x "$venv/bin/st" ]; then
    echo "openapi-check: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d /tmp/switchyard-openapi.XXXXXX)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
admin_token=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
root=$(pwd)
cat >"$work/switchyard.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $port
  max_body_bytes: 65536
access:
  tokens:
    - { name: openapi-check, role: admin, token: $admin_token }
storage:
  path: $work/store/switchyard.sqlite
rules:
  directory: $root/Rules
webhooks:
  directory: $root/Webhooks
departments:
  - { id: cards }
  - { id: payments_transfers }
  - { id: topups_cash_atm }
  - { id: fees_fx }
  - { id: disputes_refunds }
  - { id: fraud_security }
  - { id: identity_verification }
  - { id: account_management }
default_department: account_management
model:
  providers:
    local: { type: local, training_data: [$root/Samples/tickets-test.csv] }
adapters:
  generic:
    allow_unsigned: true
YAML

"$binary" serve --config "$work/switchyard.yaml" --log-level warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "openapi-check: the server did not start" >&2; exit 1; }
    sleep 0.2
done

status=0
# positive_data_acceptance is left out on purpose: a well-formed webhook for an adapter that
# needs a signature is rightly refused (401), and a random {adapter} is rightly 404.
"$venv/bin/st" run "http://127.0.0.1:$port/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance \
    -H "Authorization: Bearer $admin_token" \
    --max-examples "$MAX_EXAMPLES" --seed 1 --workers 2 \
    --request-timeout 10 --output-sanitize true || status=$?

kill -TERM "$server_pid"
wait "$server_pid" || { echo "openapi-check: the server did not stop cleanly" >&2; cat "$work/server.log" >&2; status=1; }
server_pid=
if grep -q "Fatal error" "$work/server.log"; then
    echo "openapi-check: the server crashed" >&2
    cat "$work/server.log" >&2
    status=1
fi
[ "$status" = 0 ] && echo "openapi-check: schemathesis found nothing against the live API" >&2
exit "$status"
