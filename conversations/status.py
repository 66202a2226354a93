"""Every change of a conversation's or a handoff's status, in one place.

Two state machines move together. The conversation (Chatwoot's model): bot -> pending
(waiting for a person) -> open (one agent has it) -> resolved (handed back or closed),
and back to pending when the customer asks again. The handoff: pending (in the queue) ->
claimed (an agent has it) -> closed. The database enforces the values (CHECK constraints
from `core.vocabulary`); each race is settled by one conditional UPDATE, whose docstring
says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from conversations import metrics, routing, sla
from conversations.models import Conversation, Handoff
from conversations.schemas import HandoffIn
from core.pii import mask_pii
from core.vocabulary import ConversationStatus, HandoffReason, HandoffStatus
from crm.clock import utcnow
from crm.closed_loop import record_outcome
from crm.models import OfferPresentation

ACTIVE = (HandoffStatus.PENDING, HandoffStatus.CLAIMED)
# Responses the handoff timeout and its callback offer speak (the words are in the domain).
OFFER_CALLBACK = "utter_handoff_timeout"
STILL_BUSY = "utter_handoff_still_busy"  # anonymous: no phone number to call back
CALLBACK_BOOKED = "utter_handoff_callback_booked"
KEEP_WAITING = "utter_handoff_keep_waiting"
AT_CAPACITY = "at_capacity"  # a lost claim: the agent already holds their capacity


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, status=ConversationStatus.BOT)
        session.add(conversation)
    return conversation


def note_customer_message(
    session: Session, conversation_id: str, channel: str | None, customer_id: Any
) -> Conversation:
    """A customer wrote: remember where from (replies go to their latest channel)."""
    conversation = _conversation(session, conversation_id)
    if channel:
        conversation.last_channel = channel
    if isinstance(customer_id, int):
        conversation.customer_id = customer_id
    conversation.updated_at = utcnow()
    return conversation


def anonymous_waiting(session: Session) -> int:
    """Requests for a person from people who did not sign in, waiting now."""
    return session.scalar(
        select(func.count()).select_from(Handoff).where(
            Handoff.status == HandoffStatus.PENDING, Handoff.customer_id.is_(None)
        )
    ) or 0


def open_handoff(session: Session, request: HandoffIn) -> tuple[Handoff, bool]:
    """The conversation's active handoff, or a new one; True when it was created now (a
    retried action does not queue the customer twice)."""
    conversation = _conversation(session, request.conversation_id)
    conversation.customer_id = request.customer_id or conversation.customer_id
    conversation.last_channel = request.channel
    conversation.updated_at = utcnow()
    active = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == request.conversation_id, Handoff.status.in_(ACTIVE)
        )
    )
    if active is not None:
        return active, False
    conversation.status = ConversationStatus.PENDING
    # The queue is seen by every agent: the summary quotes the customer, so mask PII in it.
    fields = request.model_dump(exclude={"intent"}) | {"summary": mask_pii(request.summary)}
    team = routing.team_for(request.reason, request.intent)
    handoff = Handoff(**fields, team=team, status=HandoffStatus.PENDING)
    session.add(handoff)
    session.flush()
    sla.stamp_due(session, handoff)  # the first-response clock starts now
    metrics.HANDOFFS_OPENED.labels(handoff.channel, handoff.reason).inc()
    return handoff, True


@dataclass
class ClaimResult:
    won: bool
    conversation_id: str | None = None
    customer_id: int | None = None
    holder_id: int | None = None  # who has it, when the claim lost
    holder: str | None = None  # their name (the console fills it in)
    status: str | None = None


def below_capacity(agent_id: int, capacity: int) -> Any:
    """SQL condition: the agent holds fewer than `capacity` claimed handoffs. Part of the
    claiming UPDATE itself, so the count and the claim are one statement (the caller locks the
    agent's row first on PostgreSQL, so two tabs of one agent cannot both pass)."""
    held = aliased(Handoff)
    count = (
        select(func.count())
        .select_from(held)
        .where(held.claimed_by == agent_id, held.status == HandoffStatus.CLAIMED)
        .scalar_subquery()
    )
    return count < capacity


def claim(
    session: Session, handoff_id: int, agent_id: int, capacity: int | None = None
) -> ClaimResult | None:
    """Take a waiting handoff; None if it does not exist. When two agents click at once, the
    database picks exactly one winner: the claim is one UPDATE ... WHERE status = 'pending',
    and only one of them can change that row. With `capacity`, an agent who already holds
    that many conversations does not get it (status "at_capacity")."""
    now = utcnow()
    conditions = [Handoff.id == handoff_id, Handoff.status == HandoffStatus.PENDING]
    if capacity is not None:
        conditions.append(below_capacity(agent_id, capacity))
    result = session.execute(
        update(Handoff)
        .where(*conditions)
        .values(status=HandoffStatus.CLAIMED, claimed_by=agent_id, claimed_at=now)
    )
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        return None
    if result.rowcount != 1:
        session.rollback()
        session.refresh(handoff)
        full = capacity is not None and handoff.status == HandoffStatus.PENDING
        return ClaimResult(
            won=False,
            conversation_id=handoff.conversation_id,
            holder_id=handoff.claimed_by,
            status=AT_CAPACITY if full else handoff.status,
        )
    session.refresh(handoff)
    conversation = _conversation(session, handoff.conversation_id)
    conversation.status = ConversationStatus.OPEN
    conversation.assigned_agent_id = agent_id
    conversation.updated_at = now
    return ClaimResult(
        won=True, conversation_id=handoff.conversation_id, customer_id=handoff.customer_id
    )


def finish(
    session: Session,
    handoff_id: int,
    conversation_id: str,
    agent_id: int,
    disposition: str,
    notes: str,
) -> bool:
    """End the agent's claim (handed back or closed); the conversation resolves. False when
    it was already ended: a double click or a second tab cannot close it twice, because the
    end is one UPDATE on the claim that only the first request still matches."""
    now = utcnow()
    result = session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == HandoffStatus.CLAIMED,
            Handoff.claimed_by == agent_id,
        )
        .values(status=HandoffStatus.CLOSED, closed_at=now, disposition=disposition, notes=notes)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    # Offers the agent showed and the customer never answered: closed loop says "ignored".
    unanswered = session.scalars(
        select(OfferPresentation).where(
            OfferPresentation.conversation_id == conversation_id,
            OfferPresentation.presented_by == "agent",
            OfferPresentation.outcome.is_(None),
        )
    )
    for presentation in unanswered:
        record_outcome(session, presentation, "ignored")
    conversation = _conversation(session, conversation_id)
    conversation.status = ConversationStatus.RESOLVED
    conversation.assigned_agent_id = None
    conversation.updated_at = now
    return True


@dataclass(frozen=True)
class Due:
    handoff_id: int
    conversation_id: str
    response: str


def claim_due(session: Session, timeout_seconds: int, now: dt.datetime | None = None) -> list[Due]:
    """Mark every overdue handoff as notified and return them. Each is marked by a
    conditional UPDATE on `timeout_notified`, so the customer hears it once even with
    several platform replicas looking at the same time."""
    cutoff = (now or utcnow()) - dt.timedelta(seconds=timeout_seconds)
    candidates = session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.customer_id).where(
            Handoff.status == HandoffStatus.PENDING,
            Handoff.timeout_notified.is_(False),
            Handoff.reason != HandoffReason.CALLBACK,
            Handoff.created_at <= cutoff,
        )
    ).all()
    due = []
    for handoff_id, conversation_id, customer_id in candidates:
        offer = customer_id is not None
        marked = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.timeout_notified.is_(False))
            .values(timeout_notified=True, callback_offer="offered" if offer else None)
        )
        if marked.rowcount == 1:
            due.append(Due(handoff_id, conversation_id, OFFER_CALLBACK if offer else STILL_BUSY))
    session.commit()
    return due


def unmark_due(session: Session, handoff_id: int) -> None:
    """The customer could not be told: try again on the next round."""
    session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id)
        .values(timeout_notified=False, callback_offer=None)
    )


def answer_callback_offer(session: Session, conversation_id: str, intent: str | None) -> str | None:
    """The customer's yes/no to the callback offer: the response to send, or None.

    Yes: the handoff becomes a callback (reason "callback", still in the queue); no: it
    waits on. Either is recorded once (a conditional UPDATE on `callback_offer`, so a
    replayed message cannot book two callbacks); other messages leave it alone."""
    if intent not in ("affirm", "deny"):
        return None
    handoff = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id,
            Handoff.status == HandoffStatus.PENDING,
            Handoff.callback_offer == "offered",
        )
    )
    if handoff is None:
        return None
    values: dict[str, Any] = {"callback_offer": "declined"}
    if intent == "affirm":
        note = f"Callback requested after waiting (asked for: {handoff.reason}). "
        values = {
            "callback_offer": "accepted",
            "reason": HandoffReason.CALLBACK,
            "summary": (note + handoff.summary)[:500],
        }
    answered = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.callback_offer == "offered")
        .values(**values)
    )
    if answered.rowcount != 1:
        return None
    return CALLBACK_BOOKED if intent == "affirm" else KEEP_WAITING
