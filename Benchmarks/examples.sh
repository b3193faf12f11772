#!/usr/bin/env bash
# Accuracy with and without examples of confirmed past tickets in the prompt, through a real
# local LLM (llama-cpp-python's server with Gemma 3 270M, as in the test suite) on the sample
# data (Benchmarks/README.md, "Examples from confirmed tickets").
#
#   bash Benchmarks/examples.sh                  set up the server (scripts/local-llm.sh), build, run
#   TICKETS=200 EXAMPLES=5 bash Benchmarks/examples.sh
#   BASE_URL=http://127.0.0.1:11434/v1 MODEL=llama3.2 DIALECT=ollama bash Benchmarks/examples.sh   another server
#
# About 4 s per call on two cores with Gemma 3 270M: 60 tickets, each asked twice, take about
# ten minutes. Built in debug (the time is the model's; debug shares the test build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    bash scripts/setup.sh
    swift build --product examples-benchmark >&2
fi
server=""
if [ -z "${BASE_URL:-}" ]; then
    bash scripts/local-llm.sh setup >&2
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    bash scripts/local-llm.sh serve "$port" > /tmp/switchyard-examples-llm.log 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    export BASE_URL="http://127.0.0.1:$port/v1"
    for _ in $(seq 1 240); do
        curl -fsS "$BASE_URL/models" > /dev/null 2>&1 && break
        kill -0 "$server" 2>/dev/null || { cat /tmp/switchyard-examples-llm.log >&2; exit 1; }
        sleep 0.5
    done
fi
"$(swift build --show-bin-path)/examples-benchmark"
