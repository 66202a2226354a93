"""The agents' queue: who is waiting, in which order, and the atomic claim.

Order: retention cases and high-value customers first (the bank loses most if they wait),
then other high-priority ones (complaints), then the rest; within each, the agent's own
teams' customers first, then the longest wait. Agents still see the other teams' customers
(below theirs, each item names its team): in a contact centre of a few dozen people a desk
can be empty or all at capacity, and a customer about to leave must not wait unseen because
the retention desk is busy, so urgency decides first, skills second, and nothing is hidden.
Supervisors see the plain urgency order. An agent at capacity cannot claim (409).
Claiming is conversations.status.claim (one conditional UPDATE: when two agents click at
once the database picks exactly one winner), audited here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from agent_console import audit
from agent_console import teams as agent_teams
from agent_console.guards import Who
from agent_console.models import Agent
from conversations import sla, status, transfers
from conversations.models import Handoff
from conversations.team_models import TEAM_NAMES
from core.vocabulary import HandoffReason, HandoffStatus
from crm.analytics.segments import SEGMENT_LABELS
from crm.clock import utcnow
from crm.models import Customer, SegmentAssignment

HIGH_VALUE_SEGMENTS = frozenset({"high_loyalty_high_potential"})
QUEUE_PAGE = 200  # what one agent's screen can hold; the queue endpoint says how many wait


def iso(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; say so, so browsers show local time correctly."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def rank(item: dict[str, Any], teams: Collection[str] = ()) -> tuple:
    """Tier (retention or high value; other high priority; the rest), then the agent's own
    teams, then longest wait."""
    if item["reason"] == HandoffReason.RETENTION or item["high_value"]:
        tier = 0
    else:
        tier = 1 if item["priority"] == "high" else 2
    return (tier, 0 if item["team"] in teams else 1, item["created_at"])


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
        "team": h.team,
        "team_name": TEAM_NAMES.get(h.team or "", h.team),
        "sla": sla.view(h),  # first-response clock (conversations.sla)
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


def _rows(
    session: Session, *where: Any, limit: int = QUEUE_PAGE, teams: Collection[str] = ()
) -> list[dict[str, Any]]:
    now = utcnow()
    own_first = case((Handoff.team.in_(list(teams)), 0), else_=1) if teams else literal(1)
    query = (
        select(Handoff, SegmentAssignment.segment, Customer.customer_no)
        .outerjoin(SegmentAssignment, SegmentAssignment.customer_id == Handoff.customer_id)
        .outerjoin(Customer, Customer.id == Handoff.customer_id)
        .where(*where)
        .order_by(_tier(), own_first, Handoff.created_at, Handoff.id)
        .limit(limit)
    )
    items = [_item(h, segment, no, now) for h, segment, no in session.execute(query)]
    return _with_transfers(session, items)


def _with_transfers(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest transfer's note and who wrote it: the first thing the next agent reads."""
    latest = transfers.latest_notes(session, [i["id"] for i in items])
    if not latest:
        return [i | {"transfer": None} for i in items]
    names = dict(session.execute(select(Agent.id, Agent.display_name)).all())
    for item in items:
        row = latest.get(item["id"])
        item["transfer"] = None
        if row is not None:
            item["transfer"] = {
                "note": row.note,
                "by": names.get(row.by_agent_id),
                "from": names.get(row.from_agent_id),
                "to_team": row.to_team,
                "to_agent": names.get(row.to_agent_id),
                "at": iso(row.at),
            }
    return items


def serialise(item: dict[str, Any]) -> dict[str, Any]:
    return item | {"created_at": iso(item["created_at"])}


def waiting(session: Session, teams: Collection[str] = ()) -> list[dict[str, Any]]:
    """Pending handoffs, most urgent first, the `teams`' own first within each tier (the
    first QUEUE_PAGE: the rest wait their turn)."""
    pending = _rows(session, Handoff.status == HandoffStatus.PENDING, teams=teams)
    for item in pending:
        item["my_team"] = item["team"] in teams
    return [serialise(i) for i in sorted(pending, key=lambda i: rank(i, teams))]


def mine(session: Session, agent_id: int) -> list[dict[str, Any]]:
    """The conversations this agent has now, oldest claim first."""
    rows = _rows(session, Handoff.status == HandoffStatus.CLAIMED, Handoff.claimed_by == agent_id)
    return [serialise(i) for i in sorted(rows, key=lambda i: i["created_at"])]


def claim(session: Session, handoff_id: int, who: Who) -> status.ClaimResult | None:
    """Take a waiting handoff; None if it does not exist. Commits on success; a lost claim
    says who has the conversation."""
    agent = agent_teams.lock(session, who.id)  # claims of one agent count one at a time
    capacity = agent.capacity if agent is not None else None
    result = status.claim(session, handoff_id, who.id, capacity)
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
