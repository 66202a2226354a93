"""Planning contacts: enqueue outreach items, expire stale ones, suppress an opted-out customer.

Everything is set-based so that a campaign launch or an event scan over 100,000 customers is
a handful of statements, not a loop of ORM objects. The functions do not commit: the caller's
transaction decides (a launch writes its members and their items together).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from crm.clock import business_now
from crm.marketing.outreach_models import OutreachItem

_TABLE = OutreachItem.__table__
_COLUMNS = [c.name for c in _TABLE.columns if c.name != "id"]
_JSON_COLUMNS = {c.name for c in _TABLE.columns if isinstance(c.type, JSON)}
_DEFAULTS: dict[str, Any] = {
    "campaign_id": None,
    "opportunity_id": None,
    "offer_code": None,
    "reason": {},
    "expected_value": 0.0,
    "not_before": None,
    "status": "pending",
    "claimed_by": None,
    "claimed_at": None,
    "outcome": None,
    "outcome_at": None,
    "callback_at": None,
    "presentation_id": None,
    "attempts": 0,
}
_REQUIRED = ("customer_id", "channel", "source", "expires_at", "dedupe_key")
BATCH = 1_000  # 21 columns a row: stays under SQLite and PostgreSQL bind limits


def _normalise(rows: Iterable[dict], now: dt.datetime) -> list[dict]:
    """Every row with every column (executemany needs one shape); first of a repeated key wins."""
    seen: set[str] = set()
    out: list[dict] = []
    for row in rows:
        missing = [k for k in _REQUIRED if row.get(k) is None]
        if missing:
            raise ValueError(f"outreach row lacks {', '.join(missing)}")
        unknown = set(row) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"outreach row has unknown columns {sorted(unknown)}")
        if row["dedupe_key"] in seen:
            continue
        seen.add(row["dedupe_key"])
        full = {**_DEFAULTS, "created_at": now, **row}
        out.append({c: full[c] for c in _COLUMNS})
    return out


def enqueue(session: Session, rows: list[dict]) -> int:
    """Insert outreach items; a row whose dedupe_key exists already is skipped, not an error.

    INSERT ... ON CONFLICT (dedupe_key) DO NOTHING on PostgreSQL and SQLite alike, so two
    launches or scans racing each other still plan each contact once: the unique index
    decides, not a read-then-write. Returns how many rows were inserted.
    """
    items = _normalise(rows, business_now())
    if not items:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _enqueue_postgres(session, items)
    inserted = 0
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        stmt = (
            sqlite.insert(_TABLE)
            .values(batch)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_TABLE.c.id)
        )
        inserted += len(session.execute(stmt).all())
    return inserted


def _enqueue_postgres(session: Session, items: list[dict]) -> int:
    """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.

    A launch plans up to 100,000 contacts at once: a VALUES list per batch spent most of its
    time compiling statements (96 s for 52,000 rows), COPY streams them in about a second."""
    names = ", ".join(_COLUMNS)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS outreach_stage")
        cursor.execute(
            "CREATE TEMP TABLE outreach_stage (LIKE outreach_items INCLUDING DEFAULTS) "
            "ON COMMIT DROP"
        )
        with cursor.copy(f"COPY outreach_stage ({names}) FROM STDIN") as copy:
            for item in items:
                copy.write_row([_copy_value(c, item[c]) for c in _COLUMNS])
        cursor.execute(
            f"INSERT INTO outreach_items ({names}) SELECT {names} FROM outreach_stage "  # noqa: S608
            "ON CONFLICT (dedupe_key) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE outreach_stage")
    return int(inserted)


def _copy_value(column: str, value: Any) -> Any:
    return json.dumps(value) if column in _JSON_COLUMNS else value


def expire(session: Session, now: dt.datetime | None = None) -> int:
    """Pending items past their expiry become 'expired' (a stale offer is not worth a call).

    Claimed items are left alone: an agent is working them and records the outcome.
    """
    now = now or business_now()
    result = session.execute(
        update(OutreachItem)
        .where(OutreachItem.status == "pending", OutreachItem.expires_at <= now)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def suppress_customer(session: Session, customer_id: int) -> int:
    """The customer opted out: every pending item for them stops at once, on every channel.

    One conditional UPDATE, so a consumer that claims an item at the same moment either got
    it first (and sees the opt-out through the contact policy) or finds it suppressed.
    """
    result = session.execute(
        update(OutreachItem)
        .where(OutreachItem.customer_id == customer_id, OutreachItem.status == "pending")
        .values(status="suppressed")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
