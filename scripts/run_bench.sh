#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures beside the target.
# Uses the tests' throwaway Redis/PostgreSQL servers (started here if not running), with a
# database of its own (BENCH_POSTGRES_URL), so a bench never clobbers a test run.
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
services=$(python3 scripts/test_services.py start) || exit 1
eval "$services"
trap 'python3 scripts/test_services.py stop' EXIT

failed=0
run() { echo; echo "=== $1"; shift; "$@" || failed=1; }
run "customer data and offers" .venvs/platform/bin/python -m bench.crm_bench
# on the 100,000-customer bank crm_bench left in BENCH_POSTGRES_URL (builds one if it is not there)
run "precision marketing: campaigns, event scan and routing, 100,000 customers" .venvs/platform/bin/python -m bench.marketing_scale --reuse
run "assistant NLU (trains from scratch, timed)" .venvs/rasa/bin/python -m bench.nlu_bench
run "in-app channel vs bare Rasa" .venvs/rasa/bin/python -m bench.channel_bench
run "one host: turns with custom actions at 10 and 40 customers" .venvs/platform/bin/python -m bench.host_throughput
run "handoff summary mood: sentiment lexicon on held-out examples" .venvs/platform/bin/python -m bench.sentiment_eval
[ -f bench/console_bench.py ] && run "agent console: customer message -> agent browser" .venvs/platform/bin/python -m bench.console_bench
exit $failed
