"""The supervisor's numbers: the queue now, how fast people are served, how much the bot
handles alone, and how customers answer offers by segment and channel.

Set-based SQL over the console's tables and the closed loop; durations are averaged in
Python over the period's rows because SQLite and PostgreSQL subtract timestamps differently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from agent_console import dashboard_breakdown
from conversations import sla
from conversations.models import Conversation, Handoff
from crm.clock import business_now, utcnow
from crm.closed_loop import response_rates


def _average_seconds(pairs: list[tuple[dt.datetime, dt.datetime]]) -> float | None:
    spans = [(end - start).total_seconds() for start, end in pairs if start and end]
    return round(sum(spans) / len(spans), 1) if spans else None


def metrics(session: Session, days: int) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(days=days)
    counts = dict(
        session.execute(
            select(Handoff.status, func.count())
            .where((Handoff.status != "closed") | (Handoff.closed_at >= since))
            .group_by(Handoff.status)
        ).all()
    )
    waits = session.execute(
        select(Handoff.created_at, Handoff.claimed_at).where(
            Handoff.claimed_at.is_not(None), Handoff.claimed_at >= since
        )
    ).all()
    handles = session.execute(
        select(Handoff.claimed_at, Handoff.closed_at).where(
            Handoff.closed_at.is_not(None), Handoff.closed_at >= since
        )
    ).all()
    active = select(Conversation.id).where(Conversation.updated_at >= since)
    conversations = session.scalar(select(func.count()).select_from(active.subquery())) or 0
    with_human = exists().where(Handoff.conversation_id == Conversation.id)
    contained = (
        session.scalar(select(func.count()).where(Conversation.updated_at >= since, ~with_human))
        or 0
    )
    # Offers live on the bank's business clock (crm.clock), the queue on the wall clock.
    offers_since = business_now() - dt.timedelta(days=days)
    rates = response_rates(session, ["segment", "channel"], offers_since)
    return {
        "days": days,
        "waiting": counts.get("pending", 0),
        "active": counts.get("claimed", 0),
        "closed": counts.get("closed", 0),
        "average_wait_seconds": _average_seconds(list(waits)),
        "average_handle_seconds": _average_seconds(list(handles)),
        "conversations": conversations,
        "contained": contained,
        "containment_rate": round(contained / conversations, 4) if conversations else None,
        # First-response SLA of the period's handoffs and complaints overdue now.
        "sla": sla.breach_counts(session, since),
        # Per team and agent, satisfaction, containment by intent (dashboard_breakdown).
        **dashboard_breakdown.figures(session, since),
        "offer_response": [
            {
                "segment": r.get("segment") or "unknown",
                "channel": r.get("channel") or "unknown",
                "presented": r["presented"],
                "accepted": r["accepted"],
                "declined": r["declined"],
                "response_rate": r["response_rate"],
            }
            for r in rates
        ],
    }
