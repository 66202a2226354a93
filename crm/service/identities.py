"""One customer across channels: which customer a channel identity (app user, Telegram chat,
phone number) belongs to, and linking a messaging account with a one-time code.

Flow: the verified in-app customer asks the assistant to link Telegram; the action asks for
a code here; the customer sends `/start <code>` to the bot; the Telegram connector redeems
it here. From then on that chat *is* the customer: one conversation across channels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm.clock import utcnow
from crm.models import ChannelIdentity, LinkCode
from crm.schemas import IdentityOut, LinkCodeOut
from crm.service.errors import Conflict, NotFound

CODE_TTL = dt.timedelta(minutes=10)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _out(row: ChannelIdentity) -> IdentityOut:
    return IdentityOut(
        customer_id=row.customer_id, channel=row.channel, external_id=row.external_id
    )


def find(session: Session, channel: str, external_id: str) -> IdentityOut:
    """The verified customer behind a channel identity; NotFound when nobody is linked."""
    row = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == external_id,
            ChannelIdentity.verified.is_(True),
        )
    )
    if row is None:
        raise NotFound(f"No customer is linked to {channel} {external_id}.")
    return _out(row)


def of_customer(session: Session, customer_id: int) -> list[IdentityOut]:
    """Where a customer can be reached (the console and out-of-band replies use this)."""
    rows = session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id)
    )
    return [_out(r) for r in rows if r.verified]


def issue_link_code(session: Session, customer_id: int, channel: str) -> LinkCodeOut:
    """A new one-time code; the customer's earlier unused codes for the channel stop working
    (only the latest one the app showed can link a chat)."""
    now = utcnow()
    session.execute(
        update(LinkCode)
        .where(
            LinkCode.customer_id == customer_id,
            LinkCode.channel == channel,
            LinkCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    row = LinkCode(
        code_hash=_digest(code),
        customer_id=customer_id,
        channel=channel,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    session.flush()
    return LinkCodeOut(code=code, channel=channel, expires_at=row.expires_at)


def redeem(session: Session, channel: str, code: str, external_id: str) -> IdentityOut:
    """Link the identity to the code's customer. Single use even under a race: the claim is
    one conditional UPDATE, and only one can flip `used_at` from NULL."""
    now = utcnow()
    claimed = session.execute(
        update(LinkCode)
        .where(
            LinkCode.code_hash == _digest(code),
            LinkCode.channel == channel,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(LinkCode.customer_id)
    ).first()
    if claimed is None:
        raise Conflict("This link code is unknown, expired or already used; ask for a new one.")
    identity = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    if identity is None:
        identity = ChannelIdentity(channel=channel, external_id=external_id)
        session.add(identity)
    identity.customer_id = claimed.customer_id
    identity.verified = True
    identity.linked_at = now
    session.flush()
    return _out(identity)


def unlink(session: Session, channel: str, external_id: str) -> bool:
    """The identity is anonymous again; True if it was linked."""
    return bool(
        session.execute(
            delete(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
            )
        ).rowcount
    )
