#!/usr/bin/env bash
# The model gateway's overhead per call against an in-process OpenAI-compatible server with a
# fixed answer delay, beside a bare HTTP call to the same server in the same run, at 1 and 8
# concurrent callers and 1, 100 and 1,000 calls per second, streaming off and on
# (Benchmarks/README.md, "Gateway overhead").
#
#   bash Benchmarks/gateway.sh                 build in release (.build-release, as intake.sh), then run
#   SKIP_BUILD=1 DELAY_MS=50 bash Benchmarks/gateway.sh
#
# About three minutes once built; the first release build takes several minutes on two cores.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    bash scripts/setup.sh
    swift build -c release --product gateway-benchmark --scratch-path "$ROOT/.build-release" >&2
fi
exec "$ROOT/.build-release/release/gateway-benchmark"
