"""Planning contacts: enqueue outreach items, expire stale ones, suppress an opted-out customer.

Everything is set-based so that a campaign launch or an event scan over 100,000 customers is
a handful of statements, not a loop of ORM objects. The functions do not commit: the caller's
transaction decides (a launch writes its members and their items together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.bulk import insert_new
from crm.clock import business_now
from crm.marketing.outreach_models import OutreachItem

_TABLE = OutreachItem.__table__
_COLUMNS = [c.name for c in _TABLE.columns if c.name != "id"]
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
    """Insert outreach items; a row whose dedupe_key exists already is skipped, not an error
    (crm.bulk.insert_new: the unique index decides between racing launches and scans).
    Returns how many rows were inserted."""
    return insert_new(session, _TABLE, _normalise(rows, business_now()))


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
