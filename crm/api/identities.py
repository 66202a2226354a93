"""Which customer a channel identity (app user, Telegram chat, phone number) belongs to."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, status
from sqlalchemy import select

from crm.api.deps import DbSession, require_service_token
from crm.models import ChannelIdentity
from crm.schemas import IdentityOut
from crm.text import reject_nul

router = APIRouter(
    prefix="/identities", tags=["identities"], dependencies=[Depends(require_service_token)]
)


@router.get("/{channel}/{external_id}", response_model=IdentityOut)
def find_identity(
    channel: Literal["app", "telegram", "phone"],
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    session: DbSession,
) -> IdentityOut:
    """404 when nobody (verified) is linked to it."""
    reject_nul(external_id, "external_id")
    row = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == external_id,
            ChannelIdentity.verified.is_(True),
        )
    )
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"No customer is linked to {channel} {external_id}."
        )
    return IdentityOut(
        customer_id=row.customer_id, channel=row.channel, external_id=row.external_id
    )
