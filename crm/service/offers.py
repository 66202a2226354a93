"""Next-best offers and the closed loop, as the API sends them: ranked offers with reasons,
presentations and their outcomes, and the opportunities the event scan found."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.analytics.events import open_opportunities
from crm.clock import business_now
from crm.closed_loop import record_outcome, record_presentation
from crm.marketing import proactive
from crm.models import OfferPresentation, Opportunity
from crm.offers.nbo import next_best_offers
from crm.schemas import (
    OfferOut,
    OffersOut,
    OpportunityOut,
    PolicyOut,
    PresentationOut,
    ReasonOut,
    SkippedOffer,
)
from crm.service.errors import NotFound


def offers(
    session: Session,
    customer_id: int,
    context: str = "chat",
    channel: str | None = None,
    limit: int = 3,
    categories: tuple[str, ...] = (),
) -> OffersOut:
    """Eligible offers ranked by expected value (propensity x margin), within the contact
    policy; `suppressed` and `not_eligible` say what was left out and why."""
    d = next_best_offers(session, customer_id, context, limit, categories=categories)
    return OffersOut(
        customer_id=customer_id,
        context=context,
        channel=channel,
        segment=d.segment,
        risk_appetite=d.risk_appetite,
        model=d.model,
        contact_policy=PolicyOut(
            weekly_limit=d.policy.weekly_limit,
            presented_last_7_days=d.policy.presented_last_7_days,
            remaining_this_week=d.policy.remaining_this_week,
            decline_cooldown_days=d.policy.cooldown_days,
        ),
        offers=[
            OfferOut(
                code=r.offer.code,
                name=r.offer.title,
                names=r.offer.names or {},
                category=r.offer.category,
                product_code=r.offer.product_code,
                purpose=r.offer.purpose,
                propensity=round(r.propensity, 4),
                margin=r.offer.margin,
                expected_value=r.expected_value,
                reasons=[ReasonOut(**x) for x in r.reasons],
                opportunity_id=r.opportunity_id,
            )
            for r in d.offers
        ],
        suppressed=[SkippedOffer(**s) for s in d.suppressed],
        not_eligible=[SkippedOffer(**s) for s in d.not_eligible],
    )


def present(
    session: Session,
    customer_id: int,
    offer_code: str,
    context: str,
    channel: str,
    presented_by: str,
    conversation_id: str | None,
) -> PresentationOut:
    """Record that an offer was shown, with the propensity it was ranked at (the contact
    policy may forbid it now: closed_loop.PolicyViolation)."""
    ranked = next_best_offers(session, customer_id, context, limit=10)
    propensity = next((r.propensity for r in ranked.offers if r.offer.code == offer_code), None)
    row = record_presentation(
        session, customer_id, offer_code, context, channel, presented_by, conversation_id,
        propensity,
    )  # fmt: skip
    return PresentationOut.model_validate(row)


def presentations(session: Session, customer_id: int, limit: int = 50) -> list[PresentationOut]:
    """The customer's closed-loop history, newest first: what was shown where, and the outcome
    (so the console can mark an offer the customer already saw in the app or chat)."""
    rows = session.scalars(
        select(OfferPresentation)
        .where(OfferPresentation.customer_id == customer_id)
        .order_by(OfferPresentation.presented_at.desc(), OfferPresentation.id.desc())
        .limit(limit)
    )
    return [PresentationOut.model_validate(row) for row in rows]


def set_outcome(session: Session, presentation_id: int, outcome: str) -> PresentationOut:
    """Accepted, declined or ignored; repeating the same outcome is harmless."""
    row = session.get(OfferPresentation, presentation_id)
    if row is None:
        raise NotFound(f"No offer presentation with id {presentation_id}.")
    record_outcome(session, row, outcome)
    proactive.outcome_recorded(session, row.id, outcome)  # a proactive message's item too
    return PresentationOut.model_validate(row)


def opportunities(
    session: Session, customer_id: int, only_open: bool = True
) -> list[OpportunityOut]:
    """Marketing moments found in the data (open and unexpired by default)."""
    if only_open:
        rows = open_opportunities(session, customer_id, business_now())
    else:
        rows = list(
            session.scalars(
                select(Opportunity)
                .where(Opportunity.customer_id == customer_id)
                .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
            )
        )
    return [
        OpportunityOut(
            id=o.id,
            customer_id=o.customer_id,
            kind=o.kind,
            offer_category=o.offer_category,
            status=o.status,
            reason=ReasonOut(code=o.kind, text=o.reason, figures=o.figures),
            created_at=o.created_at,
            expires_at=o.expires_at,
        )
        for o in rows
    ]
