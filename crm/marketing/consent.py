"""Recording and reading marketing consent.

The history is append-only (who changed what, when, through which channel); the latest row
per customer and channel wins, and a customer with no row has not consented. Every campaign,
outbound call list and proactive message reads it through `crm.marketing.contact_policy`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.clock import utcnow
from crm.marketing.consent_models import CHANNELS, SOURCES, MarketingConsent

ALL = "all"


def record(
    session: Session,
    customer_id: int,
    channel: str,
    granted: bool,
    source: str,
    by: str | None = None,
) -> list[MarketingConsent]:
    """Append the customer's answer for one channel (or every channel with "all")."""
    if channel != ALL and channel not in CHANNELS:
        raise ValueError(f"Unknown marketing channel {channel!r}.")
    if source not in SOURCES:
        raise ValueError(f"Unknown consent source {source!r}.")
    now = utcnow()
    rows = [
        MarketingConsent(
            customer_id=customer_id,
            channel=name,
            granted=bool(granted),
            source=source,
            recorded_by=by,
            recorded_at=now,
        )
        for name in (CHANNELS if channel == ALL else (channel,))
    ]
    session.add_all(rows)
    session.flush()
    return rows


def opt_out_everywhere(
    session: Session, customer_id: int, source: str, by: str | None = None
) -> list[MarketingConsent]:
    """ "Stop" or "do not contact": withdrawn on every channel at once."""
    return record(session, customer_id, ALL, False, source, by)


def current(session: Session, customer_id: int) -> dict[str, bool]:
    """Consent per channel right now (False where the customer never answered)."""
    found = {name: False for name in CHANNELS}
    rows = session.execute(
        select(MarketingConsent.channel, MarketingConsent.granted)
        .where(MarketingConsent.customer_id == customer_id)
        .order_by(MarketingConsent.id)
    )
    for name, granted in rows:
        if name in found:
            found[name] = bool(granted)
    return found


def history(session: Session, customer_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The latest changes first (the console shows where each answer came from)."""
    rows = session.scalars(
        select(MarketingConsent)
        .where(MarketingConsent.customer_id == customer_id)
        .order_by(MarketingConsent.id.desc())
        .limit(limit)
    )
    return [
        {
            "channel": r.channel,
            "granted": r.granted,
            "source": r.source,
            "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at.isoformat(timespec="seconds"),
        }
        for r in rows
    ]


def current_with_source(session: Session, customer_id: int) -> dict[str, dict[str, Any]]:
    """Per channel: granted, and the source and time of the answer that decides it."""
    out: dict[str, dict[str, Any]] = {
        name: {"granted": False, "source": None, "recorded_at": None} for name in CHANNELS
    }
    for row in reversed(history(session, customer_id, limit=500)):
        if row["channel"] in out:
            out[row["channel"]] = {
                "granted": row["granted"],
                "source": row["source"],
                "recorded_at": row["recorded_at"],
            }
    return out
