"""Link a messaging account to a verified customer with a one-time code, and look links up.

Flow: the verified in-app customer asks the assistant to link Telegram; the action asks for
a code here; the customer sends `/start <code>` to the bot; the Telegram connector redeems
it here. From then on that chat *is* the customer: one conversation across channels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from agent_console.models import LinkCode
from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.clock import utcnow
from crm.models import ChannelIdentity

router = APIRouter(
    prefix="/api/v1", tags=["identities"], dependencies=[Depends(require_service_token)]
)

CODE_TTL = dt.timedelta(minutes=10)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed
LinkableChannel = Literal["telegram"]


class LinkCodeIn(BaseModel):
    channel: LinkableChannel = "telegram"


class LinkCodeOut(BaseModel):
    code: str
    channel: str
    expires_at: dt.datetime


class RedeemIn(BaseModel):
    code: str = Field(min_length=4, max_length=16)
    external_id: str = Field(min_length=1, max_length=64)


class IdentityOut(BaseModel):
    customer_id: int
    channel: str
    external_id: str


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@router.post(
    "/customers/{customer_id}/link-codes",
    response_model=LinkCodeOut,
    status_code=status.HTTP_201_CREATED,
)
def issue_link_code(customer: CustomerDep, body: LinkCodeIn, session: DbSession) -> LinkCodeOut:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    row = LinkCode(
        code_hash=_digest(code),
        customer_id=customer.id,
        channel=body.channel,
        expires_at=utcnow() + CODE_TTL,
    )
    session.add(row)
    session.flush()
    return LinkCodeOut(code=code, channel=body.channel, expires_at=row.expires_at)


@router.post("/identities/{channel}/redeem", response_model=IdentityOut)
def redeem_link_code(
    channel: Annotated[LinkableChannel, Path()], body: RedeemIn, session: DbSession
) -> IdentityOut:
    now = utcnow()
    # Single use even under a race: only one UPDATE can flip used_at from NULL.
    claimed = session.execute(
        update(LinkCode)
        .where(
            LinkCode.code_hash == _digest(body.code),
            LinkCode.channel == channel,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(LinkCode.customer_id)
    ).first()
    if claimed is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail="This link code is unknown, expired or already used; ask for a new one.",
        )
    identity = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == body.external_id
        )
    )
    if identity is None:
        identity = ChannelIdentity(channel=channel, external_id=body.external_id)
        session.add(identity)
    identity.customer_id = claimed.customer_id
    identity.verified = True
    identity.linked_at = now
    session.flush()
    return IdentityOut(
        customer_id=claimed.customer_id, channel=channel, external_id=body.external_id
    )


@router.get("/customers/{customer_id}/channel-identities", response_model=list[IdentityOut])
def customer_identities(customer: CustomerDep, session: DbSession) -> list[IdentityOut]:
    """Where a customer can be reached (the console and out-of-band replies use this)."""
    rows = session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.customer_id == customer.id)
    )
    return [
        IdentityOut(customer_id=r.customer_id, channel=r.channel, external_id=r.external_id)
        for r in rows
        if r.verified
    ]
