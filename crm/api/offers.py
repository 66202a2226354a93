"""Next-best offers, the closed loop (presentations and outcomes) and opportunities."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, status

from crm.api.deps import MAX_ID, CustomerDep, DbSession, http_error, require_service_token
from crm.schemas import (
    Channel,
    Context,
    OfferCategory,
    OffersOut,
    OpportunityOut,
    OutcomeIn,
    PresentationIn,
    PresentationOut,
)
from crm.service import offers
from crm.service.errors import Conflict, NotFound, Unprocessable

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
    return offers.offers(session, customer.id, context, channel, limit, tuple(category or ()))


@router.post(
    "/customers/{customer_id}/offer-presentations",
    response_model=PresentationOut,
    status_code=status.HTTP_201_CREATED,
)
def present_offer(
    customer: CustomerDep, body: PresentationIn, session: DbSession
) -> PresentationOut:
    """Record that an offer was shown (409 if the contact policy forbids showing it now)."""
    try:
        return offers.present(
            session, customer.id, body.offer_code, body.context, body.channel,
            body.presented_by, body.conversation_id,
        )  # fmt: skip
    except (Conflict, Unprocessable) as exc:
        raise http_error(exc) from None


@router.get("/customers/{customer_id}/offer-presentations", response_model=list[PresentationOut])
def read_presentations(
    customer: CustomerDep,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PresentationOut]:
    """The customer's closed-loop history, newest first: what was shown where, and the outcome
    (so the console can mark an offer the customer already saw in the app or chat)."""
    return offers.presentations(session, customer.id, limit)


@router.post("/offer-presentations/{presentation_id}/outcome", response_model=PresentationOut)
def set_outcome(
    presentation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: OutcomeIn, session: DbSession
) -> PresentationOut:
    """Accepted, declined or ignored; repeating the same outcome is harmless."""
    try:
        return offers.set_outcome(session, presentation_id, body.outcome)
    except (NotFound, Conflict) as exc:
        raise http_error(exc) from None


@router.get("/customers/{customer_id}/opportunities", response_model=list[OpportunityOut])
def read_opportunities(
    customer: CustomerDep,
    session: DbSession,
    status_: Annotated[Literal["open", "all"], Query(alias="status")] = "open",
) -> list[OpportunityOut]:
    """Marketing moments found in the data (open and unexpired by default)."""
    return offers.opportunities(session, customer.id, only_open=status_ == "open")
