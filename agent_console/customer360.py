"""The copilot's customer 360 and offers, from the customer API's service layer.

The console runs in the platform process, so it calls the service functions the `/api/v1`
routes call (same rules, same wire format: money as two-decimal strings) without an HTTP
hop. Personal identifiers are masked; the phone number is shown only to the agent who owns
a callback, whose task is to call it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.pii import mask_pii
from core.vocabulary import Channel
from crm.marketing import consent
from crm.models import Customer, OfferPresentation
from crm.service import cards, cases, customers, offers

RECENT_TRANSACTIONS = 8
RECENT_OPPORTUNITIES = 5
OFFER_CONTEXTS = ("retention", "agent")  # retention offers first, then next-best offers


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def profile(session: Session, customer: Customer, reveal_phone: bool) -> dict[str, Any]:
    """Who the customer is and what they hold, with the reasons behind their segment."""
    p = customers.profile(session, customer)
    accounts = customers.accounts(session, customer.id)
    transactions = customers.transactions(session, customer.id, limit=RECENT_TRANSACTIONS)
    churn = cases.churn_risk(session, customer.id)
    opportunities = offers.opportunities(session, customer.id, only_open=False)
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
        "cards": [_dump(c) for c in cards.cards(session, customer.id)],
        "open_complaints": [
            _dump(c) | {"description": mask_pii(c.description)[:300]}
            for c in cases.complaints(session, customer.id)
            if c.status != "closed"
        ],
        "churn": _dump(churn),
        "opportunities": [_dump(o) for o in opportunities[:RECENT_OPPORTUNITIES]],
        # per channel: granted, and the source and time of the answer that decides it
        "marketing_consent": consent.current_with_source(session, customer.id),
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
    channel = channel if channel in set(Channel) else None
    seen = seen_offers(session, customer.id)
    listed: dict[str, dict[str, Any]] = {}
    held_back: dict[str, dict[str, Any]] = {}
    policy = None
    for context in OFFER_CONTEXTS:
        decision = offers.offers(session, customer.id, context, channel, limit=5)
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
