"""The agents' queue: who is waiting, in which order, and the atomic claim.

Order: retention cases and high-value customers first (the bank loses most if they wait),
then other high-priority ones (complaints), then the rest; within each, the longest wait.
Claiming is one conditional UPDATE, so when two agents click at once the database picks
exactly one winner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent_console import audit
from agent_console.guards import Who
from agent_console.models import Agent, Conversation, Handoff
from crm.analytics.segments import SEGMENT_LABELS
from crm.clock import utcnow
from crm.models import Customer, SegmentAssignment

HIGH_VALUE_SEGMENTS = frozenset({"high_loyalty_high_potential"})


def iso(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; say so, so browsers show local time correctly."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def rank(item: dict[str, Any]) -> tuple:
    """Tier (retention or high value; other high priority; the rest), then longest wait."""
    if item["reason"] == "retention" or item["high_value"]:
        tier = 0
    else:
        tier = 1 if item["priority"] == "high" else 2
    return (tier, item["created_at"])


def _item(h: Handoff, segment: str | None, customer_no: str | None, now: dt.datetime) -> dict:
    return {
        "id": h.id,
        "conversation_id": h.conversation_id,
        "customer_id": h.customer_id,
        "customer_no": customer_no,
        "channel": h.channel,
        "reason": h.reason,
        "priority": h.priority,
        "summary": h.summary,
        "status": h.status,
        "segment": segment,
        "segment_label": SEGMENT_LABELS.get(segment or "", segment),
        "high_value": segment in HIGH_VALUE_SEGMENTS,
        "created_at": h.created_at,
        "wait_seconds": max(0, int((now - h.created_at).total_seconds())),
        "timeout_notified": h.timeout_notified,
        "callback_offer": h.callback_offer,
        "claimed_by": h.claimed_by,
    }


def _rows(session: Session, *where: Any) -> list[dict[str, Any]]:
    now = utcnow()
    query = (
        select(Handoff, SegmentAssignment.segment, Customer.customer_no)
        .outerjoin(SegmentAssignment, SegmentAssignment.customer_id == Handoff.customer_id)
        .outerjoin(Customer, Customer.id == Handoff.customer_id)
        .where(*where)
    )
    return [_item(h, segment, no, now) for h, segment, no in session.execute(query)]


def serialise(item: dict[str, Any]) -> dict[str, Any]:
    return item | {"created_at": iso(item["created_at"])}


def waiting(session: Session) -> list[dict[str, Any]]:
    """Pending handoffs, most urgent first."""
    return [serialise(i) for i in sorted(_rows(session, Handoff.status == "pending"), key=rank)]


def mine(session: Session, agent_id: int) -> list[dict[str, Any]]:
    """The conversations this agent has now, oldest claim first."""
    rows = _rows(session, Handoff.status == "claimed", Handoff.claimed_by == agent_id)
    return [serialise(i) for i in sorted(rows, key=lambda i: i["created_at"])]


@dataclass
class ClaimResult:
    won: bool
    conversation_id: str | None = None
    customer_id: int | None = None
    holder: str | None = None  # who has it, when the claim lost
    status: str | None = None


def claim(session: Session, handoff_id: int, who: Who) -> ClaimResult | None:
    """Take a waiting handoff; None if it does not exist. Commits on success."""
    now = utcnow()
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "pending")
        .values(status="claimed", claimed_by=who.id, claimed_at=now)
    )
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        return None
    if result.rowcount != 1:
        session.rollback()
        session.refresh(handoff)
        holder = session.get(Agent, handoff.claimed_by) if handoff.claimed_by else None
        return ClaimResult(
            won=False,
            conversation_id=handoff.conversation_id,
            holder=holder.display_name if holder else None,
            status=handoff.status,
        )
    session.refresh(handoff)
    conversation = session.get(Conversation, handoff.conversation_id)
    if conversation is not None:
        conversation.status = "open"
        conversation.assigned_agent_id = who.id
        conversation.updated_at = now
    audit.record(session, who.id, "claim_handoff", handoff.customer_id, f"handoff {handoff.id}")
    session.commit()
    return ClaimResult(
        won=True, conversation_id=handoff.conversation_id, customer_id=handoff.customer_id
    )
