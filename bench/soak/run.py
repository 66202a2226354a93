"""`make soak`: the production topology on this machine under Locust's load, with faults.

Two of every process behind nginx, PostgreSQL and Redis of its own, Rasa's RedisLockStore,
live events over Redis; customers (Locust, headless) have realistic conversations while an
agent answers the handoffs; one fault at a time is injected during the load: `kill -9` a
Rasa server, an action server, a platform replica; restart PostgreSQL; stop Redis for 10 s.
Afterwards the tracker store and the CRM are checked (bench.soak.checks) and a table is
printed. Exit code 1 if any message was lost, duplicated, reordered, answered to the wrong
customer or left unanswered, or a 5xx came outside a fault.

    python -m bench.soak.run                                # 200 customers, every fault
    python -m bench.soak.run --customers 20 --faults rasa   # the short version in make test
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.soak import checks
from bench.soak.agents import SoakAgent
from bench.soak.checks import Fault
from bench.soak.topology import Topology
from scripts.stack import ROOT

LOCUST = ROOT / ".venvs" / "soak" / "bin" / "locust"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
FIRST_CUSTOMER = 6  # the demo cast (1-5) is left alone


def memo_hit_rates(ports: list[int]) -> dict[str, float]:
    """Share of the dialogue policies' lookups that were remembered, over the Rasa servers
    (since each last started): how often this traffic repeats a dialogue-state window."""
    counts: dict[tuple[str, str], float] = {}
    for port in ports:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        except httpx.HTTPError:
            continue
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "bank_dialogue_memo_total":
                    key = (sample.labels["policy"], sample.labels["result"])
                    counts[key] = counts.get(key, 0.0) + sample.value
    rates = {}
    for policy in sorted({policy for policy, _ in counts}):
        hits, misses = counts.get((policy, "hit"), 0.0), counts.get((policy, "miss"), 0.0)
        rates[policy] = hits / max(1.0, hits + misses)
    return rates


def fault_plan(topology: Topology, which: str) -> list[tuple[str, Callable[[], str]]]:
    """(name, inject-and-recover) for each fault; the callable returns a note."""

    def kill_and_restart(name: str, down: float) -> Callable[[], str]:
        def run() -> str:
            topology.kill(name)
            time.sleep(down)
            started = time.monotonic()
            topology.restart(name)
            return f"back after {down + time.monotonic() - started:.0f} s"

        return run

    def restart_postgres() -> str:
        started = time.monotonic()
        topology.restart_postgres()
        return f"restarted in {time.monotonic() - started:.1f} s"

    def stop_redis() -> str:
        topology.stop_redis()
        time.sleep(10)
        topology.start_redis()
        return "down 10 s (locks, rate-limit counts and live events lost with it)"

    plan = {
        "rasa": ("kill -9 one Rasa server", kill_and_restart("rasa-1", 10)),
        "actions": ("kill -9 one action server", kill_and_restart("actions-1", 10)),
        "platform": ("kill -9 one platform replica", kill_and_restart("platform-1", 10)),
        "postgres": ("restart PostgreSQL", restart_postgres),
        "redis": ("stop Redis for 10 s", stop_redis),
    }
    names = list(plan) if which == "all" else [] if which == "none" else which.split(",")
    return [plan[name] for name in names]


def inject(plan: list[tuple[str, Callable[[], str]]], load: subprocess.Popen,
           warmup: float, gap: float, faults: list[Fault]) -> None:  # fmt: skip
    time.sleep(warmup)
    for name, action in plan:
        if load.poll() is not None:
            faults.append(Fault(name, note="not run: the load had ended"))
            continue
        fault = Fault(name, started=time.time())
        try:
            fault.note = action()
        except Exception as exc:  # the row says so; the checks still run
            fault.note = f"injection failed: {exc}"
        fault.ended = time.time()
        faults.append(fault)
        time.sleep(gap)
    # Stay until the load ends: the processes restarted above are this thread's children,
    # and Linux stops them (PR_SET_PDEATHSIG, scripts.stack) when the thread that
    # started them exits.
    load.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", default="20,50", help="seconds between a customer's turns")
    parser.add_argument("--faults", default="all", help="all, none, or e.g. rasa,redis")
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the run's files and database")
    parser.add_argument("--scripts", default="", help="only these conversations, e.g. person")
    args = parser.parse_args()
    if not LOCUST.exists():
        print("Locust is missing: run `make install`", file=sys.stderr)
        return 2

    root = Path(tempfile.mkdtemp(prefix="bank-soak-"))
    root.chmod(0o755)  # PostgreSQL runs as its own user under it
    topology = Topology(root)
    started = time.time()
    print(f"soak: {args.customers} customers x {args.turns} turns, faults: {args.faults}; "
          f"files in {root}", flush=True)  # fmt: skip
    try:
        topology.start_services()
        topology.configure()
        topology.prepare(FIRST_CUSTOMER + args.customers)
        topology.start_product()
        print(f"soak: topology up in {time.time() - started:.0f} s", flush=True)
        agent = SoakAgent(topology.public_url, "agent", topology.env["DEMO_AGENT_PASSWORD"])
        agent.start()
        before = checks.snapshot(topology.env["DATABASE_URL"])
        records = root / "records.jsonl"
        env = dict(topology.env) | {
            "PYTHONPATH": str(ROOT),
            "SOAK_RECORDS": str(records),
            "SOAK_RUN": f"soak{int(started)}",
            "SOAK_USERS": str(args.customers),
            "SOAK_TURNS": str(args.turns),
            "SOAK_THINK": args.think,
            "SOAK_FIRST_CUSTOMER": str(FIRST_CUSTOMER),
            "SOAK_SCRIPTS": args.scripts,
        }
        # Ends when the last customer is done; this bounds a run whose customers fail.
        limit = int(30 + args.turns * (float(args.think.split(",")[-1]) + 30) + 300)
        load = subprocess.Popen(
            [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--users", str(args.customers),
             "--spawn-rate", str(max(1, args.customers // 20)), "--run-time", f"{limit}s",
             "--host", topology.public_url, "--only-summary", "--loglevel", "ERROR"],
            cwd=ROOT, env=env, stdout=open(root / "locust.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        faults: list[Fault] = []
        injector = threading.Thread(
            target=inject,
            args=(fault_plan(topology, args.faults), load, args.warmup, 10, faults),
            daemon=True,
        )
        injector.start()
        load.wait()
        injector.join()
        time.sleep(3)  # the last turns' events reach the store and the console
        agent.stop()
        memo = memo_hit_rates([topology.port_of(name) for name in topology.stacks
                               if name.startswith("rasa")])  # fmt: skip
        lines = records.read_text().splitlines() if records.exists() else []
        report = checks.evaluate([json.loads(line) for line in lines],
                                 topology.env["DATABASE_URL"], before, faults)  # fmt: skip
    finally:
        topology.stop()
        if topology.state is not None and not args.keep:
            topology.stop_services()
        elif topology.state is not None:
            print(f"kept: DATABASE_URL={topology.env['DATABASE_URL']} "
                  f"TEST_SERVICES_DIR={topology.state} (stop: scripts/test_services.py stop)")
    print()
    print(checks.table(report))
    print("\ndialogue memo hits: " + ", ".join(f"{p} {rate:.0%}" for p, rate in memo.items()))
    print(f"\nagent: {agent.claimed} handoffs claimed, {agent.answered} answered, "
          f"{agent.handed_back} handed back ({agent.errors} rounds failed)")  # fmt: skip
    for problem in report.problems[:20]:
        print(f"  problem: {problem}")
    for line in report.unanswered[:20]:
        print(f"  unanswered: {line}")
    expected = args.customers * args.turns
    held = checks.invariants_hold(report) and report.sent == expected
    if report.sent != expected:
        print(f"  problem: {report.sent} messages recorded, {expected} expected "
              f"(see locust.log in the run's directory; --keep keeps it)")  # fmt: skip
    print(f"\nsoak {'passed' if held else 'FAILED'} in {time.time() - started:.0f} s")
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 0 if held else 1


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # A SIGTERM (a CI timeout) runs the clean-up like Ctrl-C: no database or Redis is left.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
