#!/usr/bin/env bash
# Sets up, builds and runs `switchyard serve` on the embedded defaults: SQLite, the local
# model, Samples/switchyard.yaml — no network, no API key. Extra arguments go to `serve`
# (for example --port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
bash scripts/setup.sh
swift build -c release --product switchyard
exec .build/release/switchyard serve --config Samples/switchyard.yaml "$@"
