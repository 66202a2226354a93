#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures beside the target.
# Uses the same throwaway Redis/PostgreSQL as the tests (started here if not running).
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
services=$(python3 scripts/test_services.py start) || exit 1
eval "$services"
trap 'python3 scripts/test_services.py stop' EXIT
export BENCH_POSTGRES_URL=${BENCH_POSTGRES_URL:-$TEST_POSTGRES_URL}
failed=0
run() { echo; echo "=== $1"; shift; "$@" || failed=1; }
[ -f bench/crm_bench.py ] && run "customer data and offers" .venvs/platform/bin/python -m bench.crm_bench
[ -f bench/nlu_bench.py ] && run "assistant NLU" .venvs/rasa/bin/python -m bench.nlu_bench --model models/bank.tar.gz
exit $failed
