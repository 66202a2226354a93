"""May the bank contact this customer for marketing, on this channel, now? And for a whole
audience at once.

One policy for every campaign, the outbound call list and proactive messages. Its limits:
- no_consent: the customer's latest answer for the channel is not a yes (crm.marketing.consent);
- no_channel: no verified app or Telegram identity to send to;
- declined_recently: they declined this offer within CRM_DECLINE_COOLDOWN_DAYS;
- weekly_limit: CRM_OFFERS_PER_WEEK offers in the last 7 days, counted in offer_presentations,
  where the assistant's offers, campaign messages and calls all land (so the limit holds
  across every campaign and the assistant);
- quiet_hours: MARKETING_QUIET_HOURS on the customers' local clock (BANK_TIMEZONE; a "not
  now", so it is checked last).

`check` answers for one customer; `blocked` for any number in a few set-based queries, and
gives the same code `check` would for each customer (the tests hold them to it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    case,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from crm.clock import local_time
from crm.marketing.consent_models import CHANNELS, MarketingConsent
from crm.models import ChannelIdentity, OfferPresentation
from crm.reasons import Reason, reason
from crm.settings import get_database_settings

WEEK = dt.timedelta(days=7)
IDENTITY_CHANNELS = ("app", "telegram")  # calls use the phone number every customer has
ORDER = ("no_consent", "no_channel", "declined_recently", "weekly_limit", "quiet_hours")

__all__ = ["CHANNELS", "ORDER", "blocked", "check", "in_quiet_hours"]


def quiet_window() -> tuple[dt.time, dt.time]:
    start, end = get_database_settings().marketing_quiet_hours.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def in_quiet_hours(now: dt.datetime) -> bool:
    """Inside the window on the customers' local clock (which may wrap midnight); an empty
    window is never quiet."""
    start, end = quiet_window()
    t = local_time(now).time()
    if start == end:
        return False
    return start <= t < end if start < end else (t >= start or t < end)


def _limits(now: dt.datetime) -> tuple[int, int, dt.datetime, dt.datetime]:
    s = get_database_settings()
    cooldown = dt.timedelta(days=s.crm_decline_cooldown_days)
    return (
        s.crm_offers_per_week,
        s.crm_decline_cooldown_days,
        now - cooldown,
        now - max(cooldown, WEEK),
    )


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"Unknown marketing channel {channel!r}.")


def _declined(offer_code: str, declined_after: dt.datetime, since: dt.datetime) -> Any:
    p = OfferPresentation
    return and_(
        p.offer_code == offer_code,
        p.outcome == "declined",
        p.presented_at > since,
        func.coalesce(p.outcome_at, p.presented_at) > declined_after,
    )


def _reason(code: str, channel: str, now: dt.datetime, **figures: Any) -> Reason:
    texts = {
        "no_consent": f"No marketing consent for {channel}.",
        "no_channel": f"No verified {channel} identity to send to.",
        "declined_recently": "Declined {offer_code} in the last {cooldown_days} days.",
        "weekly_limit": "Already {presented_last_7_days} offers in the last 7 days "
        "(limit {weekly_limit}).",
        "quiet_hours": "Quiet hours ({quiet_hours}) at {time}, the customer's local time.",
    }
    return reason(code, texts[code].format(**figures), channel=channel, **figures)


def check(
    session: Session,
    customer_id: int,
    channel: str,
    now: dt.datetime,
    offer_code: str | None = None,
) -> Reason | None:
    """None when the customer may be contacted on this channel now, else why not."""
    _check_channel(channel)
    limit, cooldown_days, declined_after, since = _limits(now)
    decided = session.scalar(
        select(MarketingConsent.granted)
        .where(MarketingConsent.customer_id == customer_id, MarketingConsent.channel == channel)
        .order_by(MarketingConsent.id.desc())
        .limit(1)
    )
    if not decided:
        return _reason("no_consent", channel, now)
    if channel in IDENTITY_CHANNELS and not session.scalar(
        select(ChannelIdentity.id)
        .where(
            ChannelIdentity.customer_id == customer_id,
            ChannelIdentity.channel == channel,
            ChannelIdentity.verified.is_(True),
        )
        .limit(1)
    ):
        return _reason("no_channel", channel, now)
    p = OfferPresentation
    if offer_code and session.scalar(
        select(p.id)
        .where(p.customer_id == customer_id, _declined(offer_code, declined_after, since))
        .limit(1)
    ):
        return _reason(
            "declined_recently", channel, now, offer_code=offer_code, cooldown_days=cooldown_days
        )
    week = session.scalar(
        select(func.count())
        .select_from(p)
        .where(p.customer_id == customer_id, p.presented_at > now - WEEK)
    )
    if (week or 0) >= limit:
        return _reason(
            "weekly_limit", channel, now, presented_last_7_days=int(week or 0), weekly_limit=limit
        )
    if channel_quiet(now):
        return _reason(
            "quiet_hours",
            channel,
            now,
            quiet_hours=get_database_settings().marketing_quiet_hours,
            time=local_time(now).strftime("%H:%M"),
        )
    return None


def channel_quiet(now: dt.datetime) -> bool:
    """Quiet hours hold for calls and messages alike."""
    return in_quiet_hours(now)


@contextmanager
def _audience(session: Session, customer_ids: Sequence[int] | Select[Any]) -> Iterator[Any]:
    """The audience as something to select ids from: a caller's select as it is, or a list
    loaded once into a temporary table (one statement on PostgreSQL, an executemany on
    SQLite), so the queries below join an indexed table instead of a 100,000-item IN list."""
    if isinstance(customer_ids, Select):
        sub = customer_ids.subquery()
        yield select(next(iter(sub.c)).label("id")).subquery()
        return
    ids = sorted({int(i) for i in customer_ids})
    table = Table(f"policy_audience_{uuid.uuid4().hex[:12]}", MetaData(), Column("id", Integer))
    name = table.name  # generated here, never input
    session.execute(text(f"CREATE TEMPORARY TABLE {name} (id INTEGER PRIMARY KEY)"))
    if session.get_bind().dialect.name == "postgresql":
        insert = f"INSERT INTO {name} SELECT unnest(CAST(:ids AS integer[]))"
        session.execute(text(insert), {"ids": ids})
        session.execute(text(f"ANALYZE {name}"))
    else:
        session.execute(table.insert(), [{"id": i} for i in ids])
    yield table
    # Not in a `finally`: after an error the caller's rollback takes the table away with
    # the transaction (both databases roll back DDL), and a DROP would mask the error.
    session.execute(text(f"DROP TABLE {name}"))


def blocked(
    session: Session,
    customer_ids: Sequence[int] | Select[Any],
    channel: str,
    now: dt.datetime,
    offer_code: str | None = None,
) -> dict[int, str]:
    """customer id -> the code `check` would give, for every customer of the audience who may
    not be contacted (those left out may be). A handful of queries whatever the audience size."""
    _check_channel(channel)
    if not isinstance(customer_ids, Select) and not customer_ids:
        return {}
    with _audience(session, customer_ids) as audience:
        return _blocked(session, audience, channel, now, offer_code)


def _blocked(
    session: Session, audience: Any, channel: str, now: dt.datetime, offer_code: str | None
) -> dict[int, str]:
    limit, _, declined_after, since = _limits(now)
    members = select(audience.c.id)
    out: dict[int, str] = {}

    mc = MarketingConsent
    consenting = (  # the newest answer for the channel is a yes (one pass, no self-join)
        select(mc.customer_id)
        .where(mc.channel == channel, mc.customer_id.in_(members))
        .group_by(mc.customer_id)
        .having(func.max(case((mc.granted.is_(True), mc.id))) == func.max(mc.id))
    )
    for cid in session.scalars(select(audience.c.id).where(audience.c.id.not_in(consenting))):
        out.setdefault(int(cid), "no_consent")

    if channel in IDENTITY_CHANNELS:
        reachable = select(ChannelIdentity.customer_id).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.verified.is_(True),
            ChannelIdentity.customer_id.in_(members),
        )
        for cid in session.scalars(select(audience.c.id).where(audience.c.id.not_in(reachable))):
            out.setdefault(int(cid), "no_channel")

    p = OfferPresentation
    if offer_code:
        declined = (
            select(p.customer_id)
            .distinct()
            .where(p.customer_id.in_(members), _declined(offer_code, declined_after, since))
        )
        for cid in session.scalars(declined):
            out.setdefault(int(cid), "declined_recently")

    busy = (
        select(p.customer_id)
        .where(p.customer_id.in_(members), p.presented_at > now - WEEK)
        .group_by(p.customer_id)
        .having(func.count() >= limit)
    )
    if limit == 0:  # nobody may be contacted, even customers never offered anything
        busy = members
    for cid in session.scalars(busy):
        out.setdefault(int(cid), "weekly_limit")

    if channel_quiet(now):
        for cid in session.scalars(members):
            out.setdefault(int(cid), "quiet_hours")
    return out
