"""Channel identities: who a channel identity belongs to, and linking one with a code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status

from core.vocabulary import Channel
from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.schemas import IdentityOut, LinkableChannel, LinkCodeIn, LinkCodeOut, RedeemIn
from crm.service import identities
from crm.service.errors import Conflict, NotFound
from crm.text import reject_nul

router = APIRouter(tags=["identities"], dependencies=[Depends(require_service_token)])


@router.get("/identities/{channel}/{external_id}", response_model=IdentityOut)
def find_identity(
    channel: Channel,
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    session: DbSession,
) -> IdentityOut:
    """404 when nobody (verified) is linked to it."""
    reject_nul(external_id, "external_id")
    try:
        return identities.find(session, channel, external_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None


@router.post(
    "/customers/{customer_id}/link-codes",
    response_model=LinkCodeOut,
    status_code=status.HTTP_201_CREATED,
)
def issue_link_code(customer: CustomerDep, body: LinkCodeIn, session: DbSession) -> LinkCodeOut:
    return identities.issue_link_code(session, customer.id, body.channel)


@router.post("/identities/{channel}/redeem", response_model=IdentityOut)
def redeem_link_code(
    channel: Annotated[LinkableChannel, Path()], body: RedeemIn, session: DbSession
) -> IdentityOut:
    try:
        return identities.redeem(session, channel, body.code, body.external_id)
    except Conflict as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


@router.get("/customers/{customer_id}/channel-identities", response_model=list[IdentityOut])
def customer_identities(customer: CustomerDep, session: DbSession) -> list[IdentityOut]:
    """Where a customer can be reached (the console and out-of-band replies use this)."""
    return identities.of_customer(session, customer.id)


@router.post("/identities/{channel}/{external_id}/unlink")
def unlink_identity(
    channel: Annotated[LinkableChannel, Path()],
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    session: DbSession,
) -> dict[str, bool]:
    """The chat is anonymous again (`/unlink` in Telegram); harmless when it was not linked."""
    reject_nul(external_id, "external_id")
    return {"unlinked": identities.unlink(session, channel, external_id)}
