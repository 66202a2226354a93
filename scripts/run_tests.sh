#!/usr/bin/env bash
# `make test`: every suite of both runtimes against real Redis and PostgreSQL.
# Starts this run's own servers on free ports (scripts/test_services.py) and stops them at
# the end, so two runs on one machine share no server, database or port.
# Every suite runs even if an earlier one fails; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

RASA=.venvs/rasa/bin
PLATFORM=.venvs/platform/bin
export RASA_TELEMETRY_ENABLED=false
failed=()

services=$(python3 scripts/test_services.py start) || { echo "could not start test services"; exit 1; }
eval "$services"
trap 'python3 scripts/test_services.py stop' EXIT

suite() {  # suite NAME COMMAND...
  local name=$1; shift
  echo; echo "=== $name"
  "$@"
  local rc=$?
  [ $rc -eq 0 ] || failed+=("$name (exit $rc)")
}

suite "lint (ruff)" $PLATFORM/ruff check .
suite "lint (import contracts: what may import what, pyproject.toml)" \
  env PYTHONPATH=. $PLATFORM/lint-imports
suite "core, shared by both runtimes (under each)" \
  bash -c "$PLATFORM/python -m pytest tests/core -q && $RASA/python -m pytest tests/core -q"
suite "platform: customer API, CRM, console (SQLite + PostgreSQL)" \
  $PLATFORM/python -m pytest tests/platform -q
suite "deploy: Kubernetes and compose manifests (API schemas, topology against the processes' settings)" \
  $PLATFORM/python -m pytest tests/deploy -q
suite "assistant: training data validation" \
  $RASA/rasa data validate --fail-on-warnings --config config.yml --domain assistant/domain \
  --data nlu_data assistant/data
suite "assistant: model (trained once per change, reused)" make --no-print-directory train
suite "assistant: NLU regression gate (held-out dev splits vs tests/nlu/floors.yml)" \
  $RASA/python -m scripts.nlu_gate
suite "assistant: test stories (NLU and dialogue, every flow)" \
  $RASA/rasa test core --model models/bank.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out "${TMPDIR:-/tmp}/bank-story-results"
suite "assistant runtime: connectors, actions, NLU data" $RASA/python -m pytest tests/assistant -q
suite "system: the running product over HTTP and in headless Chromium" \
  $PLATFORM/python -m pytest tests/system -q
suite "system on PostgreSQL and Redis (the deployed stores; the app's token instead of the demo)" \
  env SYSTEM_STORES=postgres $PLATFORM/python -m pytest tests/system -q
suite "end-to-end conversations (make e2e)" make --no-print-directory e2e
suite "end-to-end conversations on PostgreSQL and Redis (the deployed stores)" \
  $PLATFORM/python -m tests.e2e.runner --on postgres
suite "soak, short (make soak: 200 customers, every fault): 2 of each process behind nginx on PostgreSQL and Redis, 20 customers, a Rasa server killed mid-run" \
  $PLATFORM/python -m bench.soak.run --customers 20 --think 1,3 --faults rasa --warmup 10
suite "fuzz: every documented endpoint, with and without credentials (make fuzz, fewer examples)" \
  $PLATFORM/python -m scripts.fuzz --max-examples 10

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites:"; printf '  - %s\n' "${failed[@]}"; exit 1
fi
echo "all suites passed"
