"""`python -m crm.synthetic --customers 500 [--seed 42] [--as-of YYYY-MM-DD] [--reset]`

Fills the migrated database (DATABASE_URL, default SQLite data/bank.db) with the catalogue
and a synthetic bank, then runs the analytics batch. Does nothing if customers exist
(unless --reset), and answers that in well under a second: `make demo` calls it every start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from sqlalchemy import func, inspect, select, text

from crm.clock import business_today
from crm.db import get_engine, session_scope
from crm.models import Customer

SEQUENCE_TABLES = (
    "customers",
    "accounts",
    "cards",
    "transactions",
    "channel_identities",
    "interactions",
    "complaints",
    "offer_presentations",
    "churn_signals",
    "opportunities",
    "model_artifacts",
)
CRM_TABLES = (
    "marketing_consents",
    "link_codes",
    "model_artifacts",
    "churn_signals",
    "offer_presentations",
    "opportunities",
    "segment_assignments",
    "customer_features",
    "account_months",
    "transactions",
    "cards",
    "complaints",
    "interactions",
    "channel_identities",
    "accounts",
    "customers",
    "offers",
    "products",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crm.synthetic", description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="last day of history (default: BANK_AS_OF, else today, UTC)",
    )
    parser.add_argument("--reset", action="store_true", help="wipe customer data and regenerate")
    parser.add_argument("--no-train", action="store_true", help="skip the propensity model")
    parser.add_argument(
        "--lean",
        action="store_true",
        help="a third of the transactions (older ones: only the salaries and fees features "
        "read); every derived figure unchanged: for scale benches",
    )
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    return args


def wipe(session) -> None:
    existing = set(inspect(session.connection()).get_table_names())
    tables = [t for t in CRM_TABLES if t in existing]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names


def reset_sequences(session) -> None:
    """COPY with explicit ids leaves PostgreSQL's sequences behind; move them past the data."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in SEQUENCE_TABLES:  # fixed names from this module, never input
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )
        session.execute(text(sql))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    engine = get_engine()
    if "customers" not in inspect(engine).get_table_names():
        print("The database has no schema yet: run `alembic -c server/alembic.ini upgrade head`.")
        return 2
    with session_scope() as session:
        existing = session.scalar(select(func.count()).select_from(Customer)) or 0
    if existing and not args.reset:
        print(
            f"Synthetic bank already present ({existing:,} customers); nothing changed "
            "(use --reset to regenerate)."
        )
        return 0

    from crm.analytics.pipeline import run_batch  # heavy imports only when generating
    from crm.catalogue import seed_catalogue
    from crm.synthetic.bank import generate
    from crm.synthetic.population import DEMO_CAST

    as_of = args.as_of or business_today()
    now = dt.datetime.combine(as_of, dt.time())

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    print(
        f"Generating {args.customers:,} customers (seed {args.seed}, history to {as_of}) "
        f"into {engine.url.render_as_string(hide_password=True)}"
    )
    with session_scope() as session:
        if existing:
            wipe(session)
        seed_catalogue(session)
        counters = generate(session, args.customers, args.seed, as_of, progress, lean=args.lean)
        reset_sequences(session)
        generated = time.perf_counter() - started
        summary = run_batch(session, now, train=not args.no_train, progress=progress)
    total = time.perf_counter() - started
    print(f"Done in {total:.1f} s (data {generated:.1f} s, analytics {total - generated:.1f} s).")
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counters.totals.items()))
    print("  segments: " + ", ".join(f"{k} {v:,}" for k, v in summary.segments.items()))
    print(
        f"  deposit events: {summary.events:,} opportunities from "
        f"{summary.deposits_checked:,} deposits in the last 30 days"
    )
    print("  churn risk: " + ", ".join(f"{k} {v:,}" for k, v in summary.churn_levels.items()))
    if summary.model:
        print(
            f"  propensity model: holdout AUC {summary.model['auc']:.3f} "
            f"(rules-only baseline {summary.model['baseline_auc']:.3f})"
        )
    describe_cast(DEMO_CAST, now)
    return 0


def describe_cast(cast: dict[int, str], now: dt.datetime) -> None:
    from crm.analytics.churn import churn_risk
    from crm.analytics.events import open_opportunities
    from crm.models import CustomerFeatures, SegmentAssignment

    print("  demo customers:")
    with session_scope() as session:
        for cid, story in cast.items():
            customer = session.get(Customer, cid)
            seg = session.get(SegmentAssignment, cid)
            features = session.get(CustomerFeatures, cid)
            if customer is None or seg is None or features is None:
                continue
            risk = churn_risk(features)
            events = len(open_opportunities(session, cid, now))
            print(
                f"    {cid} {customer.customer_no} {customer.full_name}: {seg.segment}, "
                f"{seg.risk_appetite}, churn {risk.score:.2f}, {events} open opportunity(ies)"
                f" - {story}"
            )


if __name__ == "__main__":
    sys.exit(main())
