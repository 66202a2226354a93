"""The whole relationship, newest first: every interaction the customer's record holds.

Contacts on every channel (phone, branch, app, Telegram), card changes, complaints and
disputes, offers shown and what the customer did, earlier handoffs to a person with their
disposition and closing notes, and the internal notes agents left (whispers are private to
one agent and stay out). Free texts are masked as everywhere in the console; each source
is capped, so a long relationship costs a bounded read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agent_console.models import Agent
from conversations.models import Conversation, Handoff
from conversations.note_models import NOTE, ConversationNote
from core.card_states import Operation
from core.pii import mask_pii
from crm.models import Complaint, Interaction, Offer, OfferPresentation

PER_SOURCE = 50
TIMELINE_LENGTH = 100
DETAIL = 300
# What crm.service.cards.change_card notes (card_freeze, ...); card_question is a contact.
CARD_CHANGES = frozenset(f"card_{op}" for op in get_args(Operation))


def _entry(
    when: dt.datetime, kind: str, channel: str | None, title: str, detail: str = ""
) -> dict[str, Any]:
    return {
        "at": when.isoformat(timespec="seconds") + "Z",
        "kind": kind,
        "channel": channel,
        "title": mask_pii(title),
        "detail": mask_pii(detail)[:DETAIL],
    }


def _contacts(session: Session, customer_id: int) -> list[dict[str, Any]]:
    """Interactions; a complaint's own row says more than its interaction, so that is left out."""
    rows = session.scalars(
        select(Interaction)
        .where(Interaction.customer_id == customer_id, Interaction.kind != "complaint")
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(PER_SOURCE)
    )
    out = []
    for row in rows:
        card = row.kind in CARD_CHANGES
        kind = "card" if card else "contact"
        what = row.kind.replace("_", " ")
        title = f"Card {what[5:]}" if card else f"{row.channel.capitalize()} contact: {what}"
        out.append(_entry(row.occurred_at, kind, row.channel, title, row.summary))
    return out


def _complaints(session: Session, customer_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Complaint)
        .where(Complaint.customer_id == customer_id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(PER_SOURCE)
    )
    out = []
    for c in rows:
        kind = "dispute" if c.category == "dispute" else "complaint"
        title = f"{kind.capitalize()} {c.reference} ({c.category}): {c.status}, due {c.sla_due}"
        out.append(_entry(c.created_at, kind, c.channel, title, c.description))
    return out


def _offers(session: Session, customer_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(OfferPresentation, Offer.title)
        .join(Offer, Offer.code == OfferPresentation.offer_code)
        .where(OfferPresentation.customer_id == customer_id)
        .order_by(OfferPresentation.presented_at.desc(), OfferPresentation.id.desc())
        .limit(PER_SOURCE)
    )
    out = []
    for p, title in rows:
        outcome = p.outcome or "no answer yet"
        detail = f"Shown by {p.presented_by} ({p.context}); outcome: {outcome}"
        out.append(_entry(p.presented_at, "offer", p.channel, f"Offer: {title}", detail))
    return out


def _conversations(session: Session, customer_id: int) -> list[str]:
    ids = session.scalars(select(Conversation.id).where(Conversation.customer_id == customer_id))
    found = set(ids)
    found.update(
        session.scalars(select(Handoff.conversation_id).where(Handoff.customer_id == customer_id))
    )
    return sorted(found)


def _handoffs(
    session: Session, customer_id: int, conversations: list[str], names: dict[int, str]
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Handoff)
        .where(or_(Handoff.customer_id == customer_id, Handoff.conversation_id.in_(conversations)))
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(PER_SOURCE)
    )
    out = []
    for h in rows:
        agent = names.get(h.claimed_by) if h.claimed_by else None
        ended = (h.disposition or "").replace("_", " ")
        state = (
            f"{ended} by {agent}" if ended else f"{h.status}" + (f" with {agent}" if agent else "")
        )
        detail = h.summary + (f" Notes: {h.notes}" if h.notes else "")
        title = f"Handoff to a person ({h.reason.replace('_', ' ')}): {state}"
        out.append(_entry(h.created_at, "handoff", h.channel, title, detail))
    return out


def _notes(
    session: Session, conversations: list[str], names: dict[int, str]
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ConversationNote)
        .where(ConversationNote.conversation_id.in_(conversations), ConversationNote.kind == NOTE)
        .order_by(ConversationNote.created_at.desc(), ConversationNote.id.desc())
        .limit(PER_SOURCE)
    )
    return [
        _entry(n.created_at, "note", None, f"Note by {names.get(n.author_id, 'an agent')}", n.text)
        for n in rows
    ]


def timeline(session: Session, customer_id: int) -> list[dict[str, Any]]:
    """Every interaction on record, newest first (at most TIMELINE_LENGTH)."""
    names = dict(session.execute(select(Agent.id, Agent.display_name)).all())
    conversations = _conversations(session, customer_id)
    entries = (
        _contacts(session, customer_id)
        + _complaints(session, customer_id)
        + _offers(session, customer_id)
        + _handoffs(session, customer_id, conversations, names)
        + _notes(session, conversations, names)
    )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:TIMELINE_LENGTH]
