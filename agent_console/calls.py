"""Phone calls: find the caller, show the copilot without a chat, record how the call ended.

A call has no conversation, so it gets an id of its own at the lookup (`call-…`); the audit
entry of that lookup is the call's record (who took it, for which customer, when), and the
offers presented on the phone carry the id as their conversation, as a chat's do.

The customer hears the offer the app showed: an offer presented on any channel in the last
`OFFER_VALID_FOR` and not answered yet is the suggested one, with the same reasons, ahead of
whatever the engine would rank first today. Repeating it on the phone is a follow-up, not a
new contact (crm.closed_loop: the weekly limit does not refuse it; a recent decline does).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from agent_console import audit, customer360
from agent_console.guards import Who
from agent_console.models import AuditEntry
from core.pii import mask_pii
from core.vocabulary import Channel
from crm.analytics.events import open_opportunities
from crm.analytics.features import features_of
from crm.clock import business_now, utcnow
from crm.closed_loop import record_outcome, record_presentation
from crm.models import ChannelIdentity, Customer, Interaction, Offer, OfferPresentation
from crm.money import money_str, to_money
from crm.offers.nbo import segment_of
from crm.offers.policy import contact_state
from crm.offers.reasons import offer_reasons
from crm.schemas import ReasonOut

# An offer shown and not answered is still the customer's offer for this long (the contact
# policy's week): within it, the phone repeats it rather than proposing another.
OFFER_VALID_FOR = dt.timedelta(days=7)
# A call is wrapped up by the agent who looked the caller up, within a working shift.
CALL_LASTS_AT_MOST = dt.timedelta(hours=12)
LOOKUP = "call_lookup"
CALL_ID = re.compile(r"^call-[0-9a-f]{16}$")

# The wrap-up's outcome -> the closed loop's outcome for the offer discussed (None: pending).
OUTCOMES: dict[str, str | None] = {
    "offer_accepted": "accepted",
    "offer_declined": "declined",
    "no_answer": "ignored",
    "callback": None,
    "resolved": None,
}
NEEDS_OFFER = {"offer_accepted", "offer_declined"}
NO_OFFER = {"resolved"}
LABELS = {
    "offer_accepted": "offer accepted",
    "offer_declined": "offer declined",
    "no_answer": "no answer",
    "callback": "callback agreed",
    "resolved": "resolved",
}


class CallError(Exception):
    """The request cannot be done; `status` is the HTTP status the router answers with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def normalise_phone(raw: str) -> str | None:
    """The digits of a mainland number as stored (13800000001), from what a caller-ID or an
    agent types: +86 138 0000 0001, 0086-138-0000-0001, (138) 0000 0001. None if it is not
    a phone number."""
    if not re.fullmatch(r"[\d\s+().\-]{4,32}", raw or ""):
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if 6 <= len(digits) <= 15 else None


def callers(session: Session, phone: str) -> list[Customer]:
    """Customers whose stored phone (or phone-line identity) is this number, however it was
    formatted when stored: candidates by the last four digits, compared digit by digit."""
    tail = f"%{phone[-4:]}"
    found: dict[int, Customer] = {}
    for customer in session.scalars(select(Customer).where(Customer.phone.like(tail))):
        if normalise_phone(customer.phone) == phone:
            found[customer.id] = customer
    lines = session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == Channel.PHONE,
            ChannelIdentity.verified.is_(True),
            ChannelIdentity.external_id.like(tail),
        )
    )
    for line in lines:
        if normalise_phone(line.external_id) == phone and line.customer_id not in found:
            found[line.customer_id] = session.get(Customer, line.customer_id)
    return sorted(found.values(), key=lambda c: c.id)


def lookup(session: Session, who: Who, phone: str | None, customer_no: str | None) -> Customer:
    """The caller, by phone number or customer number; every attempt is audited, a miss too
    (with the number masked), and opens a call for the agent."""
    if phone:
        number = normalise_phone(phone)
        if number is None:
            raise CallError(422, "That is not a phone number.")
        asked = f"phone ****{number[-4:]}"
        matches = callers(session, number)
    else:
        number = (customer_no or "").strip().upper()[:16]
        asked = f"customer number {number}"
        matches = list(session.scalars(select(Customer).where(Customer.customer_no == number)))
    if len(matches) != 1:
        audit.record(session, who.id, LOOKUP, None, f"{asked}: {len(matches)} found")
        if matches:
            raise CallError(409, "Several customers have this phone number: ask for the "
                            "customer number.")  # fmt: skip
        raise CallError(404, "No customer with this number.")
    return matches[0]


def open_call(session: Session, who: Who, customer: Customer, how: str) -> str:
    """A new call id, recorded with the lookup in the audit trail (the call's only record)."""
    call_id = f"call-{secrets.token_hex(8)}"
    audit.record(session, who.id, LOOKUP, customer.id, f"{call_id} by {how}")
    return call_id


def call_of(session: Session, who: Who, call_id: str) -> int:
    """The customer of a call this agent opened in the last hours, or CallError(404)."""
    if not CALL_ID.match(call_id):
        raise CallError(404, "No such call.")
    customer_id = session.scalar(
        select(AuditEntry.customer_id).where(
            AuditEntry.action == LOOKUP,
            AuditEntry.agent_id == who.id,
            AuditEntry.detail.like(f"{call_id} %"),
            AuditEntry.customer_id.is_not(None),
            AuditEntry.at >= utcnow() - CALL_LASTS_AT_MOST,
        )
    )
    if customer_id is None:
        raise CallError(404, "No such call.")
    return customer_id


def shown_offer(session: Session, customer_id: int) -> OfferPresentation | None:
    """The offer the customer was last shown (app, Telegram, an earlier call) and has not
    answered, while it is still valid and may still be offered."""
    now = business_now()
    row = session.scalar(
        select(OfferPresentation)
        .join(Offer, Offer.code == OfferPresentation.offer_code)
        .where(
            OfferPresentation.customer_id == customer_id,
            OfferPresentation.presented_at > now - OFFER_VALID_FOR,
            or_(OfferPresentation.outcome.is_(None), OfferPresentation.outcome == "ignored"),
            Offer.active.is_(True),
        )
        .order_by(OfferPresentation.presented_at.desc(), OfferPresentation.id.desc())
        .limit(1)
    )
    if row is None or row.offer_code in contact_state(session, customer_id, now).declined_recently:
        return None
    answered_since = session.scalar(
        select(func.count()).where(
            OfferPresentation.customer_id == customer_id,
            OfferPresentation.offer_code == row.offer_code,
            OfferPresentation.outcome == "accepted",
            OfferPresentation.presented_at >= row.presented_at,
        )
    )
    return None if answered_since else row


def _offer_entry(session: Session, customer: Customer, shown: OfferPresentation) -> dict:
    """The shown offer as the copilot lists offers, with the reasons it was ranked for (the
    engine may not list it today: the week's allowance is spent, partly by this offer)."""
    offer = session.get(Offer, shown.offer_code)
    f = features_of(session, customer.id)
    segment, appetite = segment_of(session, f)
    opportunity = next(
        (
            o
            for o in open_opportunities(session, customer.id, business_now())
            if o.offer_category == offer.category
        ),
        None,
    )
    propensity = shown.propensity or offer.base_rate
    return {
        "code": offer.code,
        "name": offer.title,
        "names": offer.names or {},
        "category": offer.category,
        "product_code": offer.product_code,
        "purpose": offer.purpose,
        "propensity": round(propensity, 4),
        "margin": money_str(offer.margin),
        "expected_value": money_str(Decimal(str(propensity)) * to_money(offer.margin)),
        "reasons": [
            ReasonOut(**r).model_dump(mode="json")
            for r in offer_reasons(offer, f, segment, appetite, opportunity)
        ],
        "opportunity_id": opportunity.id if opportunity else None,
        "context": shown.context,
    }


def panel(session: Session, customer: Customer, call_id: str) -> dict[str, Any]:
    """The chat's copilot for a caller: 360 (phone masked), offers, and the one to say."""
    offers = customer360.suggested_offers(session, customer, Channel.PHONE, call_id)
    shown = shown_offer(session, customer.id)
    listed = offers["offers"]
    if shown is not None:
        entry = next((o for o in listed if o["code"] == shown.offer_code), None)
        if entry is None:
            entry = _offer_entry(session, customer, shown)
            entry["seen"] = customer360.seen_offers(session, customer.id).get(shown.offer_code)
        listed = [entry] + [o for o in listed if o is not entry]
        entry["follow_up"] = True
        suggested: dict[str, Any] | None = entry
    else:
        retention = [o for o in listed if o.get("context") == "retention"]
        suggested = (retention or listed or [None])[0]
    offers["offers"] = listed
    offers["awaiting_outcome"] = []  # a call's answers go in its wrap-up, not the chat's buttons
    offers["suggested"] = suggested["code"] if suggested else None
    return {
        "call_id": call_id,
        "profile": customer360.profile(session, customer, reveal_phone=False),
        "offers": offers,
    }


def _presentable(session: Session, customer: Customer, code: str) -> tuple[str, float | None, bool]:
    """(context, propensity, follow_up) of an offer the agent may say on this call, else 409:
    the offer the customer already has, or one the copilot lists for them now."""
    shown = shown_offer(session, customer.id)
    if shown is not None and shown.offer_code == code:
        return shown.context, shown.propensity, True
    for offer in customer360.suggested_offers(session, customer, Channel.PHONE, "")["offers"]:
        if offer["code"] == code:
            return offer["context"], offer["propensity"], False
    raise CallError(409, f"Offer {code} cannot be presented to this customer now.")


def wrap_up(
    session: Session, who: Who, call_id: str, outcome: str, offer_code: str | None, note: str
) -> dict[str, Any]:
    """The call's end, like a chat's: the offer said on the phone and the customer's answer
    in the closed loop, and a phone contact with the agent and the note in the history."""
    customer_id = call_of(session, who, call_id)
    # Wrap-ups of one customer's calls take turns (the row lock; SQLite serialises writers
    # anyway), so the count below sees any earlier wrap-up of this call.
    customer = session.scalar(select(Customer).where(Customer.id == customer_id).with_for_update())
    if outcome in NEEDS_OFFER and not offer_code:
        raise CallError(422, "Which offer did the customer answer?")
    if outcome in NO_OFFER and offer_code:
        raise CallError(422, "An offer was made: record whether it was accepted or declined.")
    clean_note = mask_pii(" ".join((note or "").split()))[:300]
    summary = f"Phone call with {who.name} ({who.author}): {LABELS[outcome]}"
    if offer_code:
        summary += f", offer {offer_code}"
    if clean_note:
        summary += f". Note: {clean_note}"
    # Insert first, then count: the second of two wrap-ups of one call (a double click, two
    # tabs) waits for the first one's lock above and then sees its row.
    contact = Interaction(
        customer_id=customer.id,
        channel=Channel.PHONE,
        kind="phone_call",
        summary=summary,
        conversation_id=call_id,
        occurred_at=business_now(),
    )
    session.add(contact)
    session.flush()
    rows = session.scalar(
        select(func.count()).where(
            Interaction.conversation_id == call_id, Interaction.customer_id == customer.id
        )
    )
    if rows > 1:
        raise CallError(409, "This call is already wrapped up.")
    presentation = None
    if offer_code:
        context, propensity, follow_up = _presentable(session, customer, offer_code)
        presentation = record_presentation(
            session, customer.id, offer_code, context, Channel.PHONE, "agent", call_id,
            propensity, follow_up=follow_up,
        )  # fmt: skip
        if OUTCOMES[outcome] is not None:
            record_outcome(session, presentation, OUTCOMES[outcome])
    audit.record(
        session, who.id, "call_wrap_up", customer.id,
        f"{call_id}: {outcome}" + (f" ({offer_code}, presentation {presentation.id})"
                                   if presentation else ""),
    )  # fmt: skip
    return {
        "call_id": call_id,
        "outcome": outcome,
        "interaction_id": contact.id,
        "presentation": None
        if presentation is None
        else {
            "id": presentation.id,
            "offer_code": presentation.offer_code,
            "channel": presentation.channel,
            "outcome": presentation.outcome,
        },
    }
