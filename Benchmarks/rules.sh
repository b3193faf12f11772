#!/usr/bin/env bash
# Rule evaluation speed: tickets per second on one core at 10, 100, 1,000 and 10,000 generated
# rules, with the prefilter the server uses and with a naive one-pattern-after-another loop,
# each as a cost ratio against 10 rules measured in the same run (Benchmarks/README.md).
#
#   bash Benchmarks/rules.sh           build in release (.build-release, as intake.sh), then run
#   SKIP_BUILD=1 bash Benchmarks/rules.sh
#
# About a minute once built; the first release build takes several minutes on two cores.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    bash scripts/setup.sh
    swift build -c release --product rules-benchmark --scratch-path "$ROOT/.build-release" >&2
fi
# One core: the figures are per core, and the machine's other core stays free for the OS.
exec taskset -c 0 "$ROOT/.build-release/release/rules-benchmark" "$ROOT"
