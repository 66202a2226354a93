"""Customer message → bot reply through the in-app channel, beside bare Rasa REST.

Starts the product as `make demo` does (SQL tracker store, event broker, replay guard, JWT
check) beside a bare `rasa run` with only the built-in REST channel on the same model,
once with in-memory trackers and once on the product's SQL tracker store (where the
difference goes), measured in turns. Prints p50/p99 latency and messages/s at 1 and 32
concurrent senders (each starting a new conversation every 8 messages); targets, against
bare Rasa on the same SQL tracker store: in-app p50 within 1.15x at 1 conversation,
throughput at least 0.95x at 32.

Run: .venvs/rasa/bin/python -m bench.channel_bench [--messages 320]
(the Rasa runtime: it writes the bare Rasa's endpoints with the product's own tracker-store
configuration)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from assistant.runtime_config import tracker_store
from core import app_token
from scripts.stack import PLATFORM_PY, RASA_PY, ROOT, Service, Stack

MODEL = ROOT / "models" / "bank.tar.gz"
MESSAGES = ["hello", "thanks", "are you a bot?", "goodbye"]
# Messages per conversation before the sender starts a new one: a chat is a handful of
# turns. (Rasa replays a session's whole history on every message, in either path, so one
# endless conversation would measure tracker growth, not the channel.)
CONVERSATION_LENGTH = 8
SECRET = "bench-app-jwt-secret-0123456789abcdefgh"  # noqa: S105 - throwaway bench key


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(send, conversations: int, total: int) -> tuple[list[float], float]:
    """`conversations` concurrent senders share `total` messages; returns latencies (ms), msg/s."""
    latencies: list[float] = []
    per_sender = max(1, total // conversations)

    async def one(sender: int) -> None:
        for i in range(per_sender):
            started = time.perf_counter()
            await send(sender, MESSAGES[i % len(MESSAGES)], i)
            latencies.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(one(s) for s in range(conversations)))
    return latencies, len(latencies) / (time.perf_counter() - began)


def app_sender(base: str, client: httpx.AsyncClient, run: str):
    tokens: dict[int, str] = {}
    first = time.time_ns() // 1000 % 10**9  # customer ids of this run: fresh conversations

    async def send(sender: int, text: str, i: int) -> None:
        customer = first + sender * 10_000 + i // CONVERSATION_LENGTH
        if customer not in tokens:
            tokens[customer] = app_token.issue(customer, SECRET, 3600)
        response = await client.post(
            f"{base}/webhooks/app/webhook",
            json={"message": text, "message_id": f"{run}-{sender}-{i}"},
            headers={"Authorization": f"Bearer {tokens[customer]}"},
        )
        response.raise_for_status()
        assert response.json()["messages"], "every message gets a reply"

    return send


def rest_sender(base: str, client: httpx.AsyncClient, run: str):
    async def send(sender: int, text: str, i: int) -> None:
        conversation = f"{run}-{sender}-{i // CONVERSATION_LENGTH}"
        response = await client.post(
            f"{base}/webhooks/rest/webhook", json={"sender": conversation, "message": text}
        )
        response.raise_for_status()
        assert response.json(), "every message gets a reply"

    return send


Route = tuple[str, Any, str]  # label, sender factory, base URL


async def measure(paths: list[Route], total: int) -> dict[str, dict[int, tuple]]:
    """Every path in turn, round after round, so the machine's noise falls on all alike."""
    results: dict[str, dict[int, tuple]] = {label: {} for label, _, _ in paths}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for label, make_sender, base in paths:
            await drive(make_sender(base, client, f"warm-{label}"), 1, 8)
        for conversations, rounds in ((1, 4), (32, 2)):
            latencies: dict[str, list[float]] = {label: [] for label, _, _ in paths}
            busy = dict.fromkeys(latencies, 0.0)
            for number in range(rounds):
                for label, make_sender, base in paths:
                    run = f"{label}-{conversations}-{number}-{time.time_ns()}"
                    sender = make_sender(base, client, run)
                    measured, rate = await drive(sender, conversations, total // rounds)
                    latencies[label] += measured
                    busy[label] += len(measured) / rate
            for label, values in latencies.items():
                results[label][conversations] = (
                    statistics.median(values), percentile(values, 0.99), len(values) / busy[label],
                )  # fmt: skip
    return results


def bare_rasa(data: Path, port: int, sql_tracker_store: bool = False) -> Stack:
    """Rasa with only its REST channel; in-memory trackers, or the product's SQL store."""
    credentials = data / "rest-credentials.yml"
    credentials.write_text("rest: {}\n")
    command = [
        str(RASA_PY), "-m", "rasa", "run", "--model", str(MODEL), "--port", str(port),
        "--interface", "127.0.0.1", "--credentials", str(credentials),
    ]  # fmt: skip
    if sql_tracker_store:
        endpoints = data / "rest-endpoints.yml"
        store = tracker_store("", data / f"rest-{port}")
        (data / f"rest-{port}").mkdir(exist_ok=True)
        endpoints.write_text(yaml.safe_dump({"tracker_store": store}))
        command += ["--endpoints", str(endpoints)]
    env = dict(
        os.environ, RASA_TELEMETRY_ENABLED="false", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT)
    )
    service = Service("bare-rasa", command, f"http://127.0.0.1:{port}/", port)
    return Stack(env=env, log_dir=data / "logs", services=[service])


def product(data: Path) -> Stack:
    platform = "http://127.0.0.1:19000"
    env = {
        **os.environ,
        "RASA_PORT": "19005", "ACTION_SERVER_PORT": "19055", "PLATFORM_PORT": "19000",
        "CRM_SERVICE_TOKEN": "bench-service-token-0123456789",
        "APP_JWT_SECRET": SECRET, "RASA_API_TOKEN": "bench-rasa-token-0123456789",
        "ACTION_SERVER_TOKEN": "bench-action-server-token-0123",
        "DATA_DIR": str(data), "RASA_MODEL": str(MODEL), "LOG_LEVEL": "WARNING",
        "PUBLIC_URL": platform, "CRM_API_URL": f"{platform}/api/v1",
        "RASA_URL": "http://127.0.0.1:19005", "RASA_PUBLIC_URL": "http://127.0.0.1:19005",
        "ACTION_SERVER_URL": "http://127.0.0.1:19055/webhook", "RASA_TELEMETRY_ENABLED": "false",
    }  # fmt: skip
    for key in ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN"):
        env.pop(key, None)
    subprocess.run(
        [str(PLATFORM_PY), "-m", "alembic", "-c", "server/alembic.ini", "upgrade", "head"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return Stack.from_env(env, data / "logs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=320)
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"{MODEL} missing: run `make train` first")
        return 1
    with tempfile.TemporaryDirectory(prefix="channel-bench-") as tmp:
        data = Path(tmp)
        # All three run side by side (idle ones cost nothing) and are measured in turns.
        stacks = [
            bare_rasa(data, 19105),
            # Where the difference goes: the same bare Rasa on the product's SQL tracker store.
            bare_rasa(data, 19106, sql_tracker_store=True),
            product(data),
        ]
        try:
            for stack in stacks:
                stack.start(timeout=300)
            results = asyncio.run(
                measure(
                    [
                        ("rest", rest_sender, "http://127.0.0.1:19105"),
                        ("rest-sql", rest_sender, "http://127.0.0.1:19106"),
                        ("app", app_sender, "http://127.0.0.1:19005"),
                    ],
                    args.messages,
                )
            )
        finally:
            for stack in stacks:
                stack.stop()
    baseline, with_store, in_app = results["rest"], results["rest-sql"], results["app"]
    print(f"{'path':<36}{'conv':>5}{'p50 ms':>9}{'p99 ms':>9}{'msg/s':>8}")
    for label, results in (
        ("bare Rasa REST (in-memory)", baseline),
        ("bare Rasa REST (SQL tracker store)", with_store),
        ("in-app channel (product)", in_app),
    ):
        for conversations, (p50, p99, rate) in results.items():
            print(f"{label:<36}{conversations:>5}{p50:>9.1f}{p99:>9.1f}{rate:>8.1f}")
    # Targets (issue 18), beside bare Rasa on the same model and the same SQL tracker store:
    # in-app p50 <= 1.15x at 1 conversation, throughput >= 0.95x at 32.
    ratio = in_app[1][0] / with_store[1][0]
    rate = in_app[32][2] / with_store[32][2]
    print(
        f"in-app p50 at 1 conversation: {ratio:.2f}x bare Rasa on the SQL store "
        f"({'meets' if ratio <= 1.15 else 'MISSES'} target <= 1.15x); "
        f"{in_app[1][0] / baseline[1][0]:.2f}x in-memory bare Rasa"
    )
    print(
        f"in-app throughput at 32 conversations: {rate:.2f}x bare Rasa on the SQL store "
        f"({'meets' if rate >= 0.95 else 'MISSES'} target >= 0.95x); "
        f"{in_app[32][2] / baseline[32][2]:.2f}x in-memory bare Rasa"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
