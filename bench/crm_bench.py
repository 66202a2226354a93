"""Customer data and offers: generator, event scan, next-best-offer latency, propensity AUC.

Prints one table, each figure beside its target:
  - synthetic bank generation for 100,000 customers on PostgreSQL (target < 10 min)
  - deposit-event scan over those customers (target < 60 s)
  - next-best-offer latency p50/p99 through the HTTP API (uvicorn in its own process, a
    keep-alive client as the action server uses) for customers with two years of
    transactions, on SQLite and PostgreSQL (target p99 < 20 ms)
  - propensity model holdout AUC beside the rules-only baseline

PostgreSQL comes from BENCH_POSTGRES_URL (its schema is dropped and rebuilt; skipped when
unset). Run: .venvs/platform/bin/python -m bench.crm_bench [--quick] [--customers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, delete, text

ROOT = Path(__file__).resolve().parent.parent
BENCH_ENV = {
    "CRM_SERVICE_TOKEN": "bench-service-token-0123456789",
    "APP_JWT_SECRET": "bench-app-jwt-secret-0123456789-abcdefgh",
    "RASA_API_TOKEN": "bench-rasa-token-0123456789",
    "LOG_LEVEL": "WARNING",
}
Row = tuple[str, str, str, str, str]


def use_database(url: str) -> None:
    """Point the platform's cached settings and engine at `url`."""
    from core import config
    from crm import db

    os.environ["DATABASE_URL"] = url
    config.reset()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()
    db.get_sessionmaker.cache_clear()


def fresh_schema(url: str) -> None:
    """An empty database at the migrations' head."""
    from alembic import command
    from alembic.config import Config

    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    use_database(url)
    command.upgrade(Config(str(ROOT / "server" / "alembic.ini")), "head")
    use_database(url)


def build_bank(url: str, customers: int, as_of: dt.date) -> dict[str, float]:
    """Generate and analyse a bank; the seconds each stage took."""
    from crm.analytics.pipeline import run_batch
    from crm.catalogue import seed_catalogue
    from crm.db import session_scope
    from crm.synthetic.__main__ import reset_sequences
    from crm.synthetic.bank import generate

    fresh_schema(url)
    started = time.perf_counter()
    with session_scope() as session:
        seed_catalogue(session)
        counters = generate(
            session, customers, 42, as_of, progress=lambda m: print(f"    {m}", flush=True)
        )
        reset_sequences(session)
    data = time.perf_counter() - started
    with session_scope() as session:
        summary = run_batch(session, dt.datetime.combine(as_of, dt.time()))
    total = time.perf_counter() - started
    return {
        "data": data,
        "total": total,
        "transactions": counters.totals.get("transactions", 0),
        **summary.seconds,
        "auc": summary.model["auc"],
        "baseline": summary.model["baseline_auc"],
    }


def time_event_scan(as_of: dt.date, days: int = 30) -> tuple[float, int]:
    """A full rescan (opportunities cleared first), as the nightly batch runs it."""
    from crm.analytics.events import scan_deposit_events
    from crm.db import session_scope
    from crm.models import Opportunity

    with session_scope() as session:
        session.execute(delete(Opportunity))
    with session_scope() as session:
        result = scan_deposit_events(session, dt.datetime.combine(as_of, dt.time()), days=days)
    return result.seconds, result.opportunities


def serve_platform(port: int) -> subprocess.Popen:
    """The platform as production runs it (uvicorn, its own process) on the current database."""
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the platform did not start for the latency bench")


def nbo_latency(customers: int, calls: int) -> tuple[float, float]:
    """p50/p99 (ms) of GET /customers/{id}/offers over HTTP, as the action server calls it."""
    from crm.db import session_scope
    from crm.models import Customer

    with session_scope() as session:
        cutoff = dt.date.today() - dt.timedelta(days=2 * 365 + 30)
        ids = [
            c.id
            for c in session.query(Customer.id)
            .filter(Customer.joined_on <= cutoff)
            .order_by(Customer.id)
            .limit(min(customers, 200))
        ]
    headers = {"Authorization": f"Bearer {BENCH_ENV['CRM_SERVICE_TOKEN']}"}
    contexts = ("chat", "agent", "retention", "event")
    latencies: list[float] = []
    port = 18997
    server = serve_platform(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            for i in range(calls + 50):
                cid, context = ids[i % len(ids)], contexts[i % len(contexts)]
                began = time.perf_counter()
                response = client.get(
                    f"/api/v1/customers/{cid}/offers", params={"context": context, "limit": 3}
                )
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, response.text
                if i >= 50:
                    latencies.append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    return statistics.median(latencies), latencies[int(0.99 * (len(latencies) - 1))]


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crm_bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 customers instead of 100,000")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--sqlite-customers", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args(argv)
    os.environ.update(BENCH_ENV)
    customers = args.customers or (5_000 if args.quick else 100_000)
    as_of = dt.date.today()
    rows: list[Row] = []
    log: Callable[[str], None] = lambda m: print(m, flush=True)  # noqa: E731

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        log(f"SQLite: building {args.sqlite_customers:,} customers ...")
        built = build_bank(url, args.sqlite_customers, as_of)
        p50, p99 = nbo_latency(args.sqlite_customers, args.calls)
        rows.append(
            (
                "generator + analytics",
                f"SQLite, {args.sqlite_customers:,} customers",
                f"{built['total']:.1f} s",
                "(for reference)",
                "",
            )
        )
        rows.append(
            (
                "next-best offer p50 / p99",
                "SQLite",
                f"{p50:.1f} / {p99:.1f} ms",
                "p99 < 20 ms",
                verdict(p99 < 20),
            )
        )
        rows.append(
            (
                "propensity AUC (holdout)",
                f"SQLite, {args.sqlite_customers:,}",
                f"{built['auc']:.3f} vs rules {built['baseline']:.3f}",
                "beats rules",
                verdict(built["auc"] > built["baseline"]),
            )
        )

    pg = os.environ.get("BENCH_POSTGRES_URL", "")
    if not pg:
        rows.append(("PostgreSQL figures", "-", "skipped", "set BENCH_POSTGRES_URL", ""))
    else:
        log(f"PostgreSQL: building {customers:,} customers (schema of that database is reset) ...")
        built = build_bank(pg, customers, as_of)
        history_seconds, history_found = time_event_scan(as_of, days=730)
        scan_seconds, found = time_event_scan(as_of)
        p50, p99 = nbo_latency(customers, args.calls)
        scale = customers / 100_000
        rows += [
            (
                "generator: data load",
                f"PostgreSQL, {customers:,} customers",
                f"{built['data']:.1f} s ({built['transactions']:,} transactions)",
                "",
                "",
            ),
            (
                "generator + analytics",
                f"PostgreSQL, {customers:,} customers",
                f"{built['total']:.1f} s",
                f"< {600 * scale:.0f} s",
                verdict(built["total"] < 600 * scale),
            ),
            (
                "deposit-event scan (30 days)",
                f"PostgreSQL, {customers:,} customers",
                f"{scan_seconds:.2f} s ({found:,} found)",
                f"< {60 * scale:.0f} s",
                verdict(scan_seconds < 60 * scale),
            ),
            (
                "deposit-event scan (2 years)",
                f"PostgreSQL, {customers:,} customers",
                f"{history_seconds:.2f} s ({history_found:,} found)",
                f"< {60 * scale:.0f} s",
                verdict(history_seconds < 60 * scale),
            ),
            (
                "next-best offer p50 / p99",
                "PostgreSQL",
                f"{p50:.1f} / {p99:.1f} ms",
                "p99 < 20 ms",
                verdict(p99 < 20),
            ),
            (
                "propensity AUC (holdout)",
                f"PostgreSQL, {customers:,}",
                f"{built['auc']:.3f} vs rules {built['baseline']:.3f}",
                "beats rules",
                verdict(built["auc"] > built["baseline"]),
            ),
        ]
        if args.quick or customers < 100_000:
            rows.append(("note", "", f"targets scaled to {customers:,} customers", "", ""))

    widths = [
        max(len(r[i]) for r in [*rows, ("figure", "where", "measured", "target", "")])
        for i in range(5)
    ]
    header = ("figure", "where", "measured", "target", "")
    print()
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0  # speed goals are reported, not enforced


if __name__ == "__main__":
    raise SystemExit(main())
