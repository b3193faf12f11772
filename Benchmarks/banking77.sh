#!/usr/bin/env bash
# The embedded local model against scikit-learn's linear baselines on BANKING77, side by side
# in one run (train on train, score on test, one core each), then the server's memory with the
# sample configuration and with 77 departments (Benchmarks/README.md, "BANKING77").
#
#   bash Benchmarks/banking77.sh                 build the release binary, set up scikit-learn, run all
#   SKIP_BUILD=1 bash Benchmarks/banking77.sh    use the existing .build-release binary
#   MEMORY=0 bash Benchmarks/banking77.sh        accuracy only (ACCURACY=0: memory only)
#   DATA=/path/to/banking77 bash Benchmarks/banking77.sh
#
# scikit-learn comes from PyPI into .venv-bench (git-ignored). Everything runs pinned to CPU 0
# when taskset is there, so "tickets per second" is one core's. Takes about 5 minutes after
# the build (scikit-learn's six fits are most of it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
DATA=${DATA:-$ROOT/../shared/datasets/banking77}
SCRATCH=${SCRATCH:-$ROOT/.build-release}   # SCRATCH=.build reuses the usual release build
VENV=${VENV:-$ROOT/.venv-bench}
MEMORY=${MEMORY:-1}
HOST=127.0.0.1

log() { printf 'banking77.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for file in train.csv test.csv train-departments.csv test-departments.csv categories.json; do
    [ -r "$DATA/$file" ] || die "no $DATA/$file (set DATA to the BANKING77 folder)"
done
ONE_CORE=()
command -v taskset >/dev/null 2>&1 && ONE_CORE=(taskset -c 0)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-banking77.XXXXXX")
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap 'stop_server; if [ "${KEEP_TEMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi' EXIT

# ── 1. The binary and scikit-learn ────────────────────────────────────────────────────────
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    bash scripts/setup.sh >&2
    log "building the release binary in .build-release (first build: ~13 min on 2 cores)"
    swift build -c release --product switchyard --scratch-path "$SCRATCH" >"$TMP/build.log" 2>&1 \
        || { tail -30 "$TMP/build.log" >&2; die "release build failed"; }
fi
BIN="$(swift build -c release --product switchyard --scratch-path "$SCRATCH" --show-bin-path 2>/dev/null)/switchyard"
[ -x "$BIN" ] || die "no binary at $BIN (run without SKIP_BUILD=1)"
if ! "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then
    log "installing scikit-learn into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q scikit-learn >&2
fi
PY="$VENV/bin/python"

# ── 2. Accuracy, training time and speed, side by side ────────────────────────────────────
# Intents grouped into the 8 departments by Benchmarks/banking77/departments.yaml (made from
# departments.csv): the model learns the 77 intents, the pipeline answers departments.
RESULTS="$TMP/results.jsonl"
touch "$RESULTS"
if [ "${ACCURACY:-1}" = 1 ]; then
log "scikit-learn baselines (six fits)"
"${ONE_CORE[@]}" "$PY" Benchmarks/banking77/baselines.py "$DATA" >>"$RESULTS"
switchyard_eval() { # name labels eval-arguments...
    local name=$1 labels=$2
    shift 2
    log "switchyard eval: $name"
    "${ONE_CORE[@]}" "$BIN" eval --json "$@" >"$TMP/eval.json"
    "$PY" - "$name" "$labels" "$TMP/eval.json" >>"$RESULTS" <<'EOF'
import json, sys
name, labels, path = sys.argv[1:]
report = json.load(open(path))
print(json.dumps({"classifier": name, "labels": labels, "accuracy": report["accuracy"], "macro_f1": report["macro_f1"],
                  "train_seconds": report["training"]["seconds"], "tickets_per_second": report["scoring"]["tickets_per_second"],
                  "calibration_error": report["calibration_error"]}))
EOF
}
switchyard_eval "Switchyard local model" intents --train "$DATA/train.csv" --test "$DATA/test.csv" --label-column category
switchyard_eval "Switchyard local model" departments --train "$DATA/train-departments.csv" --test "$DATA/test-departments.csv"
switchyard_eval "Switchyard, intents grouped (pipeline)" departments \
    --config Benchmarks/banking77/departments.yaml --train "$DATA/train.csv" --test "$DATA/test.csv" --label-column category
fi

# ── 2b. Out of scope: an open-set split ───────────────────────────────────────────────────
# Train without two of the eight departments (fraud_security, identity_verification); calibrate
# thresholds (target 0.95) on the even rows of the test split, all departments, as agents'
# verdicts would; score the odd rows. The held-back departments' tickets are out of scope: how
# many fall under the thresholds (to human_triage) against how many in-scope ones do.
OPEN_SET="$TMP/open-set"
if [ "${ACCURACY:-1}" = 1 ]; then
mkdir -p "$OPEN_SET"
"$PY" - "$DATA" "$OPEN_SET" "$ROOT" <<'EOF'
import csv, os, sys
data, out, root = sys.argv[1:]
held = {"fraud_security", "identity_verification"}
def rows(name):
    with open(os.path.join(data, name), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
def write(name, rows):
    with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "department"])
        writer.writerows([row["text"], row["department"]] for row in rows)
write("train.csv", [row for row in rows("train-departments.csv") if row["department"] not in held])
test = rows("test-departments.csv")
write("calibration.csv", test[0::2])
write("test.csv", test[1::2])
kept = ["cards", "payments_transfers", "topups_cash_atm", "fees_fx", "disputes_refunds", "account_management"]
with open(os.path.join(out, "open-set.yaml"), "w") as handle:
    handle.write(f"rules: {{ directory: {root}/Benchmarks/banking77/Rules }}\nwebhooks: {{ directory: {root}/Webhooks }}\n")
    handle.write("departments:\n" + "".join(f"  - id: {d}\n" for d in kept + ["human_triage"]))
    handle.write("default_department: human_triage\nmodel:\n  chain: [local]\n  confidence_threshold: 0\n  providers:\n")
    handle.write(f"    local: {{ type: local, training_data: [{out}/train.csv] }}\nfallback: {{ local_model: false }}\n")
EOF
log "open set: calibrating without fraud_security and identity_verification"
"$BIN" calibrate --config "$OPEN_SET/open-set.yaml" --tickets "$OPEN_SET/calibration.csv" --target 0.95 >"$OPEN_SET/calibrate.txt"
{ cat "$OPEN_SET/open-set.yaml"; sed -n '/^abstention:/,$p' "$OPEN_SET/calibrate.txt"; } >"$OPEN_SET/calibrated.yaml"
"$BIN" eval --config "$OPEN_SET/calibrated.yaml" --train "$OPEN_SET/train.csv" --test "$OPEN_SET/test.csv" --json >"$OPEN_SET/eval.json"
fi

# ── 3. Memory: the server's resident size once it answers /healthz ─────────────────────────
# First start trains the model (its peak, VmHWM, includes training); the second start on the
# same store loads the stored model, which is what a restarted server holds.
MEMORY_RESULTS="$TMP/memory.jsonl"
measure_server() { # name config
    local name=$1 config=$2 run
    for run in first restart; do
        "$BIN" serve --config "$config" --log-level info >"$TMP/server.out" 2>"$TMP/server.log" &
        SERVER_PID=$!
        local port="" deadline=$((SECONDS + 300))
        until [ -n "$port" ] && curl -fsS -m 2 "http://$HOST:$port/healthz" >/dev/null 2>&1; do
            kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "$name: the server exited during start-up"; }
            [ "$SECONDS" -lt "$deadline" ] || die "$name: no /healthz within 300s"
            port=$(grep -o "http://$HOST:[0-9]*" "$TMP/server.log" | head -1 | sed 's/.*://') || true
            sleep 0.2
        done
        local rss hwm bytes
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
        hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
        bytes=$(grep -o 'bytes=[0-9]*' "$TMP/server.log" | head -1 | sed 's/bytes=//') || true
        stop_server
        echo "{\"setup\": \"$name\", \"start\": \"$run\", \"rss_kib\": $rss, \"peak_kib\": $hwm, \"model_bytes\": ${bytes:-null}}" >>"$MEMORY_RESULTS"
    done
}
write_config() { # file departments-yaml model-yaml rules-directory
    {
        cat <<EOF
# Generated by Benchmarks/banking77.sh.
server: { host: $HOST, port: 0 }
storage: { path: $TMP/store-$(basename "$1" .yaml)/switchyard.sqlite }
rules: { directory: $4 }
webhooks: { directory: $ROOT/Webhooks }
EOF
        cat "$2"
        cat <<EOF
model:
  chain: [local]
  providers:
    local: $3
EOF
    } >"$1"
}
if [ "$MEMORY" = 1 ]; then
    awk '/^departments:/ { on = 1 } /^default_department:/ { print; on = 0 } on' Samples/switchyard.yaml >"$TMP/sample-departments.yaml"
    write_config "$TMP/sample.yaml" "$TMP/sample-departments.yaml" "{ type: local, training_data: [$ROOT/Samples/tickets.csv] }" "$ROOT/Rules"
    "$PY" - "$DATA/categories.json" >"$TMP/intent-departments.yaml" <<'EOF'
import json, re, sys
print("departments:")
for intent in json.load(open(sys.argv[1])):
    # The id a label normalises to (DepartmentID.normalized): no labels: entry needed.
    print("  - id: " + re.sub(r"^_+|_+$", "", re.sub(r"[^a-z0-9_.-]+", "_", intent.lower())))
print("default_department: card_arrival")
EOF
    write_config "$TMP/intents.yaml" "$TMP/intent-departments.yaml" \
        "{ type: local, training_data: [$DATA/train.csv], label_column: category }" "$ROOT/Benchmarks/banking77/Rules"
    log "server memory: sample configuration"
    measure_server "sample configuration (8 departments)" "$TMP/sample.yaml"
    log "server memory: 77 departments"
    measure_server "77 departments (BANKING77 intents)" "$TMP/intents.yaml"
fi

# ── 4. The table ──────────────────────────────────────────────────────────────────────────
"$PY" - "$RESULTS" "$MEMORY_RESULTS" "$OPEN_SET/eval.json" <<'EOF'
import json, os, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("| classifier | labels | accuracy | macro-F1 | training | tickets/s (one core) |")
print("|---|---|---|---|---|---|")
for labels in ("intents", "departments"):
    for row in (r for r in rows if r["labels"] == labels):
        print(f"| {row['classifier']} | {labels} | {row['accuracy'] * 100:.2f} % | {row['macro_f1'] * 100:.2f} % "
              f"| {row['train_seconds']:.1f} s | {row['tickets_per_second']:,.0f} |")
if os.path.exists(sys.argv[2]):
    print()
    print("| server | start | RSS at /healthz | peak RSS | stored model |")
    print("|---|---|---|---|---|")
    for line in open(sys.argv[2]):
        row = json.loads(line)
        model = f"{row['model_bytes'] / 1e6:.1f} MB" if row["model_bytes"] else "(loaded)"
        print(f"| {row['setup']} | {row['start']} | {row['rss_kib'] / 1024:.0f} MiB | {row['peak_kib'] / 1024:.0f} MiB | {model} |")
if os.path.exists(sys.argv[3]):
    report = json.load(open(sys.argv[3]))
    labels, matrix = report["confusion"]["labels"], report["confusion"]["matrix"]
    triage = labels.index("human_triage") if "human_triage" in labels else None
    held = {"fraud_security", "identity_verification"}
    def share(rows):
        total = sum(sum(matrix[i]) for i in rows)
        sent = sum(matrix[i][triage] for i in rows) if triage is not None else 0
        return f"{sent} of {total} ({sent / max(total, 1) * 100:.1f} %)"
    out = [i for i, label in enumerate(labels) if label in held]
    inside = [i for i, label in enumerate(labels) if label not in held and label != "human_triage"]
    print()
    print("| open set (trained without fraud_security, identity_verification) | sent to human_triage |")
    print("|---|---|")
    print(f"| out-of-scope tickets | {share(out)} |")
    print(f"| in-scope tickets | {share(inside)} |")
    print(f"| precision of what was routed automatically (target 95 %) | {report['automatic_precision'] * 100:.2f} % |")
EOF
