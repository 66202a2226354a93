"""A conversation's life with a person: who may look, who may act, and how it ends.

Chatwoot's model: pending (waiting in the queue) -> open (one agent owns it) -> resolved
(closed with a disposition, or handed back to the bot). Only the owner acts on an open
conversation; supervisors and the owner may look at it, anyone may look at a waiting one
(to decide whether to take it). Ending is a conditional UPDATE on the owner's claim, so a
double click or a second tab cannot close it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent_console import audit
from agent_console.guards import Who
from agent_console.models import Agent, Conversation, Handoff
from crm.clock import utcnow
from crm.closed_loop import record_outcome
from crm.models import OfferPresentation


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
    can_act = bool(handoff and handoff.status == "claimed" and handoff.claimed_by == who.id)
    may_look = (
        who.supervisor
        or can_act
        or (handoff is not None and handoff.status == "pending")
        or (handoff is not None and handoff.claimed_by == who.id)
    )
    if not may_look:
        raise Forbidden(
            f"{owner.display_name} has this conversation."
            if owner and handoff and handoff.status == "claimed"
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
        if granted.handoff_status == "claimed":
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
    """End the owner's claim: handed back to the bot or closed; the conversation resolves."""
    now = utcnow()
    result = session.execute(
        update(Handoff)
        .where(
            Handoff.id == granted.handoff_id,
            Handoff.status == "claimed",
            Handoff.claimed_by == who.id,
        )
        .values(status="closed", closed_at=now, disposition=disposition, notes=notes)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict("This conversation was already closed.")
    # Offers the agent showed and the customer never answered: closed loop says "ignored".
    unanswered = session.scalars(
        select(OfferPresentation).where(
            OfferPresentation.conversation_id == granted.conversation_id,
            OfferPresentation.presented_by == "agent",
            OfferPresentation.outcome.is_(None),
        )
    )
    for presentation in unanswered:
        record_outcome(session, presentation, "ignored")
    conversation = session.get(Conversation, granted.conversation_id)
    if conversation is not None:
        conversation.status = "resolved"
        conversation.assigned_agent_id = None
        conversation.updated_at = now
    audit.record(
        session, who.id, how, granted.customer_id, f"handoff {granted.handoff_id}: {disposition}"
    )
    session.commit()
