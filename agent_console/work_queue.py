"""The agents' queue: who is waiting, in which order, and the atomic claim.

Order: retention cases and high-value customers first (the bank loses most if they wait),
then other high-priority ones (complaints), then the rest; within each, the longest wait.
Claiming is conversations.status.claim (one conditional UPDATE: when two agents click at
once the database picks exactly one winner), audited here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from agent_console import audit
from agent_console.guards import Who
from agent_console.models import Agent
from conversations import status
from conversations.models import Handoff
from core.vocabulary import HandoffReason, HandoffStatus
from crm.analytics.segments import SEGMENT_LABELS
from crm.clock import utcnow
from crm.models import Customer, SegmentAssignment

HIGH_VALUE_SEGMENTS = frozenset({"high_loyalty_high_potential"})
QUEUE_PAGE = 200  # what one agent's screen can hold; the queue endpoint says how many wait


def iso(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; say so, so browsers show local time correctly."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def rank(item: dict[str, Any]) -> tuple:
    """Tier (retention or high value; other high priority; the rest), then longest wait."""
    if item["reason"] == HandoffReason.RETENTION or item["high_value"]:
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


def _tier() -> Any:
    """`rank`'s tier in SQL, so the database can hand out the most urgent page first."""
    return case(
        (
            (Handoff.reason == HandoffReason.RETENTION)
            | SegmentAssignment.segment.in_(HIGH_VALUE_SEGMENTS),
            0,
        ),
        (Handoff.priority == "high", 1),
        else_=2,
    )


def _rows(session: Session, *where: Any, limit: int = QUEUE_PAGE) -> list[dict[str, Any]]:
    now = utcnow()
    query = (
        select(Handoff, SegmentAssignment.segment, Customer.customer_no)
        .outerjoin(SegmentAssignment, SegmentAssignment.customer_id == Handoff.customer_id)
        .outerjoin(Customer, Customer.id == Handoff.customer_id)
        .where(*where)
        .order_by(_tier(), Handoff.created_at, Handoff.id)
        .limit(limit)
    )
    return [_item(h, segment, no, now) for h, segment, no in session.execute(query)]


def serialise(item: dict[str, Any]) -> dict[str, Any]:
    return item | {"created_at": iso(item["created_at"])}


def waiting(session: Session) -> list[dict[str, Any]]:
    """Pending handoffs, most urgent first (the first QUEUE_PAGE: the rest wait their turn)."""
    pending = _rows(session, Handoff.status == HandoffStatus.PENDING)
    return [serialise(i) for i in sorted(pending, key=rank)]


def mine(session: Session, agent_id: int) -> list[dict[str, Any]]:
    """The conversations this agent has now, oldest claim first."""
    rows = _rows(session, Handoff.status == HandoffStatus.CLAIMED, Handoff.claimed_by == agent_id)
    return [serialise(i) for i in sorted(rows, key=lambda i: i["created_at"])]


def claim(session: Session, handoff_id: int, who: Who) -> status.ClaimResult | None:
    """Take a waiting handoff; None if it does not exist. Commits on success; a lost claim
    says who has the conversation."""
    result = status.claim(session, handoff_id, who.id)
    if result is None:
        return None
    if not result.won:
        holder = session.get(Agent, result.holder_id) if result.holder_id else None
        return dataclasses.replace(result, holder=holder.display_name if holder else None)
    audit.record(session, who.id, "claim_handoff", result.customer_id, f"handoff {handoff_id}")
    session.commit()
    return result


def waiting_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Handoff).where(Handoff.status == HandoffStatus.PENDING)
    ) or 0
