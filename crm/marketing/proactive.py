"""Proactive messages (outreach items on 'app' and 'telegram'): the database side.

The platform's sender (conversations.proactive) takes a due item here — claim, contact policy
at send time, closed-loop record — and then has the assistant speak in the customer's
conversation; the assistant reads what to say (`message_for`) through the customer API. The
customer's answer closes the loop through the ordinary offer outcome (`outcome_recorded`),
and "stop" opts out everywhere at once (`opt_out`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from crm.clock import business_now
from crm.closed_loop import PolicyViolation, UnknownOffer, record_presentation
from crm.marketing import consent, contact_policy, outreach
from crm.marketing.outreach_models import OutreachItem
from crm.models import Customer, Offer, OfferPresentation

MESSAGE_CHANNELS = ("app", "telegram")
CONTEXT = "proactive"
# Reasons that pass with time: the item waits (until it expires) instead of being dropped.
LATER = frozenset({"quiet_hours", "weekly_limit"})
MAX_ATTEMPTS = 3  # the assistant could not be reached this often: the item is given up


@dataclass(frozen=True)
class Outgoing:
    """A claimed item, recorded in the closed loop, ready for the assistant to send."""

    item_id: int
    customer_id: int
    channel: str
    conversation_id: str
    presentation_id: int
    language: str


def sender_of(customer_id: int) -> str:
    """The conversation the channels use for a verified customer (core.senders's form)."""
    return f"customer-{customer_id}"


def due(session: Session, now: dt.datetime, limit: int = 50) -> list[tuple[int, int]]:
    """(item, customer) of pending message items whose time has come, oldest first."""
    return list(
        session.execute(
            select(OutreachItem.id, OutreachItem.customer_id)
            .where(
                OutreachItem.channel.in_(MESSAGE_CHANNELS),
                OutreachItem.status == "pending",
                or_(OutreachItem.not_before.is_(None), OutreachItem.not_before <= now),
                OutreachItem.expires_at > now,
            )
            .order_by(OutreachItem.created_at, OutreachItem.id)
            .limit(limit)
        ).tuples()
    )


def claim(session: Session, item_id: int, now: dt.datetime) -> bool:
    """pending -> claimed in ONE conditional UPDATE: two scheduler replicas (or a rollout's
    old and new pod) racing for the same item see one rowcount of 1, so a message is never
    sent twice; a customer's opt-out (suppress_customer, also conditional on 'pending') and a
    claim likewise settle in the database, not in Python."""
    result = session.execute(
        update(OutreachItem)
        .where(OutreachItem.id == item_id, OutreachItem.status == "pending")
        .values(
            status="claimed",
            claimed_at=now,
            attempts=OutreachItem.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _settle(session: Session, item: OutreachItem, status: str, outcome: str | None) -> None:
    item.status = status
    item.outcome = outcome
    item.claimed_at = None if status == "pending" else item.claimed_at
    session.flush()


def take(session: Session, item_id: int, now: dt.datetime) -> Outgoing | None:
    """Claim the item and apply the contact policy as it stands at send time; record the
    presentation (context 'proactive') when it may go. None when it may not go now: it waits
    (quiet hours, weekly limit), or is suppressed with the policy's code as its outcome."""
    if not claim(session, item_id, now):
        return None
    item = session.get(OutreachItem, item_id)
    if item is None:
        return None
    session.refresh(item)
    if not item.offer_code:
        _settle(session, item, "suppressed", "no_offer")
        return None
    blocked = contact_policy.check(session, item.customer_id, item.channel, now, item.offer_code)
    if blocked is not None:
        code = str(blocked.get("code"))
        if code in LATER:
            _settle(session, item, "pending", None)
        else:
            _settle(session, item, "suppressed", code)
        return None
    conversation = sender_of(item.customer_id)
    try:
        presentation = record_presentation(
            session, item.customer_id, item.offer_code, CONTEXT, item.channel, "assistant",
            conversation,
        )  # fmt: skip
    except PolicyViolation:
        _settle(session, item, "pending", None)
        return None
    except UnknownOffer:
        _settle(session, item, "suppressed", "no_offer")
        return None
    item.presentation_id = presentation.id
    session.flush()
    language = session.scalar(select(Customer.language).where(Customer.id == item.customer_id))
    language = "zh" if str(language or "").startswith("zh") else "en"  # the slot's values
    return Outgoing(
        item.id, item.customer_id, item.channel, conversation, presentation.id, language
    )


def sent(session: Session, item_id: int) -> bool:
    """claimed -> sent once the assistant has said it."""
    result = session.execute(
        update(OutreachItem)
        .where(OutreachItem.id == item_id, OutreachItem.status == "claimed")
        .values(status="sent")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def not_sent(session: Session, item_id: int) -> None:
    """The assistant could not say it: the presentation never happened (it would count
    against the weekly limit and the results), so it goes; the item waits for the next
    round, or is given up after MAX_ATTEMPTS."""
    item = session.get(OutreachItem, item_id)
    if item is None or item.status != "claimed":
        return
    presentation_id, item.presentation_id = item.presentation_id, None
    session.flush()
    if presentation_id is not None:
        session.execute(delete(OfferPresentation).where(OfferPresentation.id == presentation_id))
    if item.attempts >= MAX_ATTEMPTS:
        _settle(session, item, "expired", "undelivered")
    else:
        _settle(session, item, "pending", None)


def message_for(session: Session, customer_id: int) -> dict[str, Any] | None:
    """What the assistant says for the item being sent to this customer right now (claimed,
    recorded): the offer as the assistant's offer wording reads it, with the item's reason."""
    item = session.scalars(
        select(OutreachItem)
        .where(
            OutreachItem.customer_id == customer_id,
            OutreachItem.channel.in_(MESSAGE_CHANNELS),
            OutreachItem.status == "claimed",
            OutreachItem.presentation_id.is_not(None),
        )
        .order_by(OutreachItem.claimed_at.desc(), OutreachItem.id.desc())
        .limit(1)
    ).first()
    if item is None:
        return None
    offer = session.get(Offer, item.offer_code)
    if offer is None:
        return None
    reason = item.reason if isinstance(item.reason, dict) and item.reason.get("code") else None
    return {
        "item_id": item.id,
        "channel": item.channel,
        "presentation_id": item.presentation_id,
        "offer": {
            "code": offer.code,
            "name": offer.title,
            "names": offer.names or {},
            "category": offer.category,
            "reasons": [reason] if reason else [],
        },
    }


def outcome_recorded(session: Session, presentation_id: int, outcome: str) -> int:
    """The customer answered a proactive message (accepted, declined, ignored): the item
    carries the outcome too, and a final answer closes it."""
    values: dict[str, Any] = {"outcome": outcome, "outcome_at": business_now()}
    if outcome in ("accepted", "declined"):
        values["status"] = "done"
    result = session.execute(
        update(OutreachItem)
        .where(
            OutreachItem.presentation_id == presentation_id,
            OutreachItem.channel.in_(MESSAGE_CHANNELS),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def opt_out(session: Session, customer_id: int, source: str = "chat") -> dict[str, int]:
    """ "Stop": consent withdrawn on every channel and every pending contact stopped, in one
    transaction. An item a sender claimed a moment before has passed the policy already and
    may still arrive; nothing is planned or sent after this commits."""
    rows = consent.opt_out_everywhere(session, customer_id, source)
    suppressed = outreach.suppress_customer(session, customer_id)
    return {"channels": len(rows), "suppressed": suppressed}
