"""The copilot's customer 360 and offers, built in-process from the customer API's functions.

The console runs in the platform process, so it calls the same functions the `/api/v1`
routes use (same rules, same wire format: money as two-decimal strings) without an HTTP
hop. Personal identifiers are masked; the phone number is shown only to the agent who owns
a callback, whose task is to call it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.api import cards, complaints, customers, offers, retention
from crm.models import Customer, OfferPresentation
from crm.pii import mask_pii

RECENT_TRANSACTIONS = 8
RECENT_OPPORTUNITIES = 5
OFFER_CONTEXTS = ("retention", "agent")  # retention offers first, then next-best offers
CHANNELS = ("app", "telegram", "phone", "branch", "web")


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def profile(session: Session, customer: Customer, reveal_phone: bool) -> dict[str, Any]:
    """Who the customer is and what they hold, with the reasons behind their segment."""
    p = customers.read_customer(customer, session)
    accounts = customers.read_accounts(customer, session)
    transactions = customers.read_transactions(
        customer, session, limit=RECENT_TRANSACTIONS, since=None, kind=None
    )
    churn = retention.read_churn_risk(customer, session)
    opportunities = offers.read_opportunities(customer, session, status_="all")
    return {
        "id": p.id,
        "customer_no": p.customer_no,
        "full_name": p.full_name,
        "city": p.city,
        "age": p.age,
        "tenure_years": p.tenure_years,
        "language": p.language,
        "phone": customer.phone if reveal_phone else mask_pii(customer.phone),
        "phone_revealed": reveal_phone,
        "segment": _dump(p.segment),
        "risk_appetite": _dump(p.risk_appetite),
        "accounts": [_dump(a) for a in accounts],
        "transactions": [_dump(t) | {"description": mask_pii(t.description)} for t in transactions],
        "cards": [_dump(c) for c in cards.read_cards(customer, session)],
        "open_complaints": [
            _dump(c) | {"description": mask_pii(c.description)[:300]}
            for c in complaints.read_complaints(customer, session)
            if c.status != "closed"
        ],
        "churn": _dump(churn),
        "opportunities": [_dump(o) for o in opportunities[:RECENT_OPPORTUNITIES]],
    }


def seen_offers(session: Session, customer_id: int) -> dict[str, dict[str, Any]]:
    """The latest presentation of each offer code (closed loop): where, by whom, outcome."""
    seen: dict[str, dict[str, Any]] = {}
    rows = session.scalars(
        select(OfferPresentation)
        .where(OfferPresentation.customer_id == customer_id)
        .order_by(OfferPresentation.presented_at.desc(), OfferPresentation.id.desc())
    )
    for row in rows:
        seen.setdefault(
            row.offer_code,
            {
                "presentation_id": row.id,
                "channel": row.channel,
                "presented_by": row.presented_by,
                "conversation_id": row.conversation_id,
                "presented_at": row.presented_at.isoformat(timespec="seconds") + "Z",
                "outcome": row.outcome,
            },
        )
    return seen


def suggested_offers(
    session: Session, customer: Customer, channel: str | None, conversation_id: str
) -> dict[str, Any]:
    """Retention and next-best offers with reasons and expected value, each marked with
    where the customer already saw it; offers this agent presented await an outcome."""
    channel = channel if channel in CHANNELS else None
    seen = seen_offers(session, customer.id)
    listed: dict[str, dict[str, Any]] = {}
    held_back: dict[str, dict[str, Any]] = {}
    policy = None
    for context in OFFER_CONTEXTS:
        decision = offers.read_offers(customer, session, context=context, channel=channel, limit=5)
        policy = decision.contact_policy
        for offer in decision.offers:
            listed.setdefault(offer.code, _dump(offer) | {"context": context})
        for skipped in decision.suppressed:
            held_back.setdefault(skipped.code, _dump(skipped))
    for code, entry in listed.items():
        entry["seen"] = seen.get(code)
    awaiting = [
        {"offer_code": code} | s
        for code, s in seen.items()
        if s["conversation_id"] == conversation_id and s["outcome"] is None
    ]
    return {
        "offers": list(listed.values()),
        "held_back": [s for code, s in held_back.items() if code not in listed],
        "contact_policy": _dump(policy) if policy else None,
        "awaiting_outcome": awaiting,
    }
