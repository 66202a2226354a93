"""Next-best offers, the closed loop (presentations and outcomes) and opportunities."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from sqlalchemy import select

from crm.analytics.events import open_opportunities
from crm.api.deps import MAX_ID, CustomerDep, DbSession, require_service_token
from crm.closed_loop import (
    OutcomeConflict,
    PolicyViolation,
    UnknownOffer,
    record_outcome,
    record_presentation,
)
from crm.models import OfferPresentation, Opportunity
from crm.offers.nbo import next_best_offers
from crm.schemas import (
    Channel,
    Context,
    OfferCategory,
    OfferOut,
    OffersOut,
    OpportunityOut,
    OutcomeIn,
    PolicyOut,
    PresentationIn,
    PresentationOut,
    ReasonOut,
    SkippedOffer,
)

router = APIRouter(tags=["offers"], dependencies=[Depends(require_service_token)])


@router.get("/customers/{customer_id}/offers", response_model=OffersOut)
def read_offers(
    customer: CustomerDep,
    session: DbSession,
    context: Context = "chat",
    channel: Channel | None = None,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
    category: Annotated[list[OfferCategory] | None, Query()] = None,
) -> OffersOut:
    """Eligible offers ranked by expected value (propensity x margin), within the contact
    policy; `suppressed` and `not_eligible` say what was left out and why. `category`
    (repeatable) keeps only offers of those categories."""
    d = next_best_offers(session, customer.id, context, limit, categories=tuple(category or ()))
    return OffersOut(
        customer_id=customer.id,
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


@router.post(
    "/customers/{customer_id}/offer-presentations",
    response_model=PresentationOut,
    status_code=status.HTTP_201_CREATED,
)
def present_offer(
    customer: CustomerDep, body: PresentationIn, session: DbSession
) -> PresentationOut:
    """Record that an offer was shown (409 if the contact policy forbids showing it now)."""
    propensity = None
    try:
        ranked = next_best_offers(session, customer.id, body.context, limit=10)
        propensity = next(
            (r.propensity for r in ranked.offers if r.offer.code == body.offer_code), None
        )
        row = record_presentation(
            session,
            customer.id,
            body.offer_code,
            body.context,
            body.channel,
            body.presented_by,
            body.conversation_id,
            propensity,
        )
    except UnknownOffer as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    except PolicyViolation as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    return PresentationOut.model_validate(row)


@router.get("/customers/{customer_id}/offer-presentations", response_model=list[PresentationOut])
def read_presentations(
    customer: CustomerDep,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PresentationOut]:
    """The customer's closed-loop history, newest first: what was shown where, and the outcome
    (so the console can mark an offer the customer already saw in the app or chat)."""
    rows = session.scalars(
        select(OfferPresentation)
        .where(OfferPresentation.customer_id == customer.id)
        .order_by(OfferPresentation.presented_at.desc(), OfferPresentation.id.desc())
        .limit(limit)
    )
    return [PresentationOut.model_validate(row) for row in rows]


@router.post("/offer-presentations/{presentation_id}/outcome", response_model=PresentationOut)
def set_outcome(
    presentation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: OutcomeIn, session: DbSession
) -> PresentationOut:
    """Accepted, declined or ignored; repeating the same outcome is harmless."""
    row = session.get(OfferPresentation, presentation_id)
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"No offer presentation with id {presentation_id}."
        )
    try:
        record_outcome(session, row, body.outcome)
    except OutcomeConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    return PresentationOut.model_validate(row)


@router.get("/customers/{customer_id}/opportunities", response_model=list[OpportunityOut])
def read_opportunities(
    customer: CustomerDep,
    session: DbSession,
    status_: Annotated[Literal["open", "all"], Query(alias="status")] = "open",
) -> list[OpportunityOut]:
    """Marketing moments found in the data (open and unexpired by default)."""
    if status_ == "open":
        rows = open_opportunities(session, customer.id)
    else:
        rows = list(
            session.scalars(
                select(Opportunity)
                .where(Opportunity.customer_id == customer.id)
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
