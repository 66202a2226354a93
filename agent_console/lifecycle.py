"""Who may look at a conversation and who may act on it, and ending an agent's part of it.

Only the owner acts on an open conversation; supervisors and the owner may look at it,
anyone may look at a waiting one (to decide whether to take it). The status changes
themselves live in `conversations.status`; this module adds who may ask for them and the
audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console import audit
from agent_console.guards import Who
from agent_console.models import Agent
from conversations import status
from conversations.models import Conversation, Handoff
from core.vocabulary import HandoffStatus
from crm.clock import utcnow
from crm.settings import get_settings


class NotFound(Exception):
    """No such conversation."""


class Forbidden(Exception):
    """Someone else owns it, or there is nothing this agent may do with it."""


class Conflict(Exception):
    """The conversation is not in a state that allows this (e.g. already closed)."""


@dataclass(frozen=True)
class Access:
    conversation_id: str
    customer_id: int | None
    channel: str | None
    status: str
    handoff_id: int | None
    handoff_status: str | None
    owner_id: int | None
    owner_name: str | None
    can_act: bool


def latest_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(1)
    )


def access(session: Session, conversation_id: str, who: Who) -> Access:
    """What `who` may do with the conversation; raises Forbidden if not even look."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(conversation_id)
    handoff = latest_handoff(session, conversation_id)
    owner = session.get(Agent, handoff.claimed_by) if handoff and handoff.claimed_by else None
    can_act = bool(
        handoff and handoff.status == HandoffStatus.CLAIMED and handoff.claimed_by == who.id
    )
    ended_just_now = bool(
        handoff is not None
        and handoff.status == HandoffStatus.CLOSED
        and handoff.claimed_by == who.id
        and handoff.closed_at is not None
        and handoff.closed_at > utcnow() - dt.timedelta(seconds=get_settings().wrap_up_seconds)
    )
    # Access ends with the claim: the agent who closed or handed back keeps reading only for
    # the wrap-up (notes, a last look), not until the customer's next handoff.
    may_look = (
        who.supervisor
        or can_act
        or (handoff is not None and handoff.status == HandoffStatus.PENDING)
        or ended_just_now
    )
    if not may_look:
        raise Forbidden(
            f"{owner.display_name} has this conversation."
            if owner and handoff and handoff.status == HandoffStatus.CLAIMED
            else "This conversation is not waiting for an agent."
        )
    return Access(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id or (handoff.customer_id if handoff else None),
        channel=conversation.last_channel,
        status=conversation.status,
        handoff_id=handoff.id if handoff else None,
        handoff_status=handoff.status if handoff else None,
        owner_id=owner.id if owner else None,
        owner_name=owner.display_name if owner else None,
        can_act=can_act,
    )


def acting(session: Session, conversation_id: str, who: Who) -> Access:
    """Access for changing something: only the agent who owns the open conversation."""
    granted = access(session, conversation_id, who)
    if not granted.can_act:
        if granted.handoff_status == HandoffStatus.CLAIMED:
            raise Forbidden(f"{granted.owner_name} has this conversation; only they can act.")
        raise Forbidden("Claim this conversation from the queue before acting on it.")
    return granted


def finish(
    session: Session,
    granted: Access,
    who: Who,
    how: str,
    disposition: str,
    notes: str,
) -> None:
    """End the owner's claim (handed back or closed) and audit it; Conflict if it already
    ended (conversations.status.finish settles the race)."""
    ended = status.finish(
        session, granted.handoff_id, granted.conversation_id, who.id, disposition, notes
    )
    if not ended:
        raise Conflict("This conversation was already closed.")
    audit.record(
        session, who.id, how, granted.customer_id, f"handoff {granted.handoff_id}: {disposition}"
    )
    session.commit()
