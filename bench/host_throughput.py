"""One host's throughput on turns that run custom actions (issue 18's single-host targets).

Starts the product as the tests do (SQLite, in-memory locks, the pinned synthetic bank), then
verified customers in the app send 6 turns each without pause, every one answered by a
custom action that reads the customer API (balance, transactions, a pending transfer, a
card's status). Prints messages/s and p50/p99 reply latency at 10 and 40 customers in
parallel; targets: >= 20 messages/s at 40 customers, throughput that does not fall as load
rises, p99 <= 0.6 s at 10 customers.

Run: .venvs/platform/bin/python -m bench.host_throughput [--profile DIR]
(--profile records each process with py-spy, when installed, for where the CPU goes).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core import app_token
from tests.support.product import CUSTOMERS, running_product

TURNS = [
    "what's the balance on my account right now?",
    "show me what went through my account lately",
    "why is that transfer of mine still pending?",
    "my card still hasn't arrived",
    "how much money do I have",
    "what did I spend recently",
]
LOADS = (10, 40)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def customer_turns(
    client: httpx.AsyncClient, env: dict[str, str], customer: int, run: str
) -> list[float]:
    token = app_token.issue(customer, env["APP_JWT_SECRET"], 3600)
    latencies = []
    for i, text in enumerate(TURNS):
        started = time.perf_counter()
        response = await client.post(
            f"{env['RASA_URL']}/webhooks/app/webhook",
            json={"message": text, "message_id": f"{run}-{i}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        assert response.json()["messages"], f"no reply to {text!r}"
    return latencies


async def load(env: dict[str, str], customers: list[int], run: str) -> tuple[list[float], float]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        began = time.perf_counter()
        rows = await asyncio.gather(*(customer_turns(client, env, c, run) for c in customers))
        elapsed = time.perf_counter() - began
    latencies = [x for row in rows for x in row]
    return latencies, len(latencies) / elapsed


def profilers(env: dict[str, str], out: Path) -> list[subprocess.Popen]:
    """py-spy on each of the product's processes (found by their ports)."""
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: no profile")
        return []
    out.mkdir(parents=True, exist_ok=True)
    started = []
    for name in ("RASA_PORT", "ACTION_SERVER_PORT", "PLATFORM_PORT"):
        pid = subprocess.run(
            ["fuser", f"{env[name]}/tcp"], capture_output=True, text=True
        ).stdout.split()
        if pid:
            command = [spy, "record", "-p", pid[0], "-o", str(out / f"{name.lower()}.txt"),
                       "-f", "raw", "-r", "50", "--nonblocking"]  # fmt: skip
            started.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
    return started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", type=Path, help="folder for py-spy's raw stacks")
    args = parser.parse_args()
    needed = 2 + sum(LOADS)
    if needed > CUSTOMERS:
        print(f"the pinned bank has {CUSTOMERS} customers; the bench needs {needed}")
        return 1
    results = {}
    with running_product(LOG_LEVEL="WARNING", LOG_FORMAT="text") as env:
        asyncio.run(load(env, [CUSTOMERS, CUSTOMERS - 1], "warm"))  # graphs built, pools open
        first = 1
        for parallel in LOADS:
            spies = profilers(env, args.profile / str(parallel)) if args.profile else []
            customers = list(range(first, first + parallel))
            first += parallel
            results[parallel] = asyncio.run(load(env, customers, f"load-{parallel}"))
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
                spy.wait(timeout=60)
    print(f"{'customers':>10}{'messages':>10}{'msg/s':>8}{'p50 s':>8}{'p99 s':>8}")
    for parallel, (latencies, rate) in results.items():
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        print(f"{parallel:>10}{len(latencies):>10}{rate:>8.1f}{p50:>8.2f}{p99:>8.2f}")
    low, high = results[LOADS[0]], results[LOADS[-1]]
    p99_low = percentile(low[0], 0.99)
    print(
        f"targets: {high[1]:.1f} msg/s at {LOADS[-1]} (>= 20: "
        f"{'met' if high[1] >= 20 else 'MISSED'}); at {LOADS[-1]} vs {LOADS[0]}: "
        f"{high[1] / low[1]:.2f}x (does not fall: {'met' if high[1] >= low[1] else 'MISSED'}); "
        f"p99 {p99_low:.2f} s at {LOADS[0]} (<= 0.6: {'met' if p99_low <= 0.6 else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
