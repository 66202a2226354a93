"""What a supervisor sees on the monitor: every conversation waiting for or with an agent.

One row per active handoff (pending or claimed): the customer, why they asked, the agent
who has it, how long they waited (until claimed, or until now), how long the agent has had
it, and where the SLA stands (handoffs.sla_state / sla_due_at and team, when those columns
exist: they belong to the SLA and routing features and are read here only if present).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent_console.guards import CONSOLE_ROLES
from agent_console.models import Agent
from agent_console.work_queue import iso
from conversations.models import Handoff
from conversations.status import ACTIVE
from core.vocabulary import HandoffStatus
from crm.clock import utcnow
from crm.models import Customer

MONITOR_PAGE = 500


def _seconds(later: dt.datetime, earlier: dt.datetime | None) -> int | None:
    return max(0, int((later - earlier).total_seconds())) if earlier else None


def active(session: Session) -> list[dict[str, Any]]:
    """Every active handoff, the longest waiting first, then the longest with an agent."""
    now = utcnow()
    names = dict(session.execute(select(Agent.id, Agent.display_name)).all())
    rows = session.execute(
        select(Handoff, Customer.customer_no)
        .outerjoin(Customer, Customer.id == Handoff.customer_id)
        .where(Handoff.status.in_(ACTIVE))
        .order_by(Handoff.created_at, Handoff.id)
        .limit(MONITOR_PAGE)
    )
    items = []
    for h, customer_no in rows:
        pending = h.status == HandoffStatus.PENDING
        items.append(
            {
                "handoff_id": h.id,
                "conversation_id": h.conversation_id,
                "customer_id": h.customer_id,
                "customer_no": customer_no,
                "channel": h.channel,
                "reason": h.reason,
                "priority": h.priority,
                "summary": h.summary,  # masked when the handoff was created
                "status": h.status,
                "agent_id": h.claimed_by,
                "agent": names.get(h.claimed_by) if h.claimed_by else None,
                "created_at": iso(h.created_at),
                "claimed_at": iso(h.claimed_at),
                "wait_seconds": _seconds(now if pending else h.claimed_at or now, h.created_at),
                "with_agent_seconds": None if pending else _seconds(now, h.claimed_at),
                "team": getattr(h, "team", None),
                "sla_state": getattr(h, "sla_state", None),
                "sla_due_at": iso(getattr(h, "sla_due_at", None)),
            }
        )
    return items


def agents(session: Session) -> list[dict[str, Any]]:
    """Who can take a conversation (active agents and supervisors) and how many they have."""
    open_counts = dict(
        session.execute(
            select(Handoff.claimed_by, func.count())
            .where(Handoff.status == HandoffStatus.CLAIMED)
            .group_by(Handoff.claimed_by)
        ).all()
    )
    rows = session.scalars(
        select(Agent)
        .where(Agent.active.is_(True), Agent.role.in_(CONSOLE_ROLES))
        .order_by(Agent.display_name)
    )
    return [
        {
            "id": a.id,
            "name": a.display_name,
            "role": a.role,
            "open": open_counts.get(a.id, 0),
            "capacity": getattr(a, "capacity", None),
        }
        for a in rows
    ]
