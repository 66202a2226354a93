"""Launching a campaign: one launcher, each customer assigned once, the control group untouched.

The launch is one transaction: the conditional UPDATE draft -> launched, the members (COPY on
PostgreSQL) and the target group's outreach items (crm.marketing.outreach.enqueue). If any
step fails, everything rolls back and the campaign is still a draft.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.bulk import bulk_insert
from crm.marketing import outreach
from crm.marketing.audience import EXCLUSION_TEXT, Audience, Member, evaluate, split
from crm.marketing.campaign_models import Campaign, CampaignMember
from crm.marketing.outreach_models import OutreachItem
from crm.models import Offer
from crm.money import money_str, to_money
from crm.service.errors import Conflict, NotFound

MEMBER_COLUMNS = (
    "campaign_id",
    "customer_id",
    "grp",
    "channel",
    "outreach_item_id",
    "segment",
    "propensity",
    "assigned_at",
)


def dedupe_key(campaign_id: int, customer_id: int) -> str:
    return f"campaign:{campaign_id}:{customer_id}"


def window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    """The campaign's contact window: from its first day to the end of its last."""
    start = dt.datetime.combine(campaign.starts_on, dt.time())
    return start, dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time())


def summarise(
    audience: Audience, target: list[Member], control: list[Member], offer: Offer, share: float
) -> dict[str, Any]:
    """Sizes by segment and channel, exclusions with their reasons, expected responses."""
    segments: dict[str, Counter[str]] = {}
    for group, members in (("target", target), ("control", control)):
        for m in members:
            segments.setdefault(m.segment, Counter())[group] += 1
    channels = Counter(m.channel for m in target)
    margin = to_money(offer.margin)
    expected = sum(m.propensity for m in target)
    excluded = []
    for code, count in audience.excluded.most_common():
        item: dict[str, Any] = {
            "code": code,
            "text": EXCLUSION_TEXT.get(code, code),
            "count": count,
        }
        if code == "ineligible":
            item["rules"] = dict(audience.ineligible_rules.most_common())
        excluded.append(item)
    return {
        "matched": audience.matched,
        "eligible": len(audience.members),
        "target": len(target),
        "control": len(control),
        "control_share": share,
        "by_segment": [
            {"segment": s, "target": c["target"], "control": c["control"]}
            for s, c in sorted(segments.items())
        ],
        "by_channel": [{"channel": ch, "target": n} for ch, n in sorted(channels.items())],
        "excluded": excluded,
        "excluded_total": sum(audience.excluded.values()),
        "expected_responses": round(expected, 1),
        "expected_value": money_str(to_money(Decimal(str(expected)) * margin)),
        "model": audience.model,
    }


def claim_launch(session: Session, campaign_id: int, now: dt.datetime) -> bool:
    """True for exactly one caller, however many launch at once.

    One conditional UPDATE (draft -> launched): on PostgreSQL a second launcher waits on the
    row lock and then finds the status changed; on SQLite the write lock serialises them. A
    read-then-write check would let both through and assign every customer twice.
    """
    result = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.status == "draft",
            Campaign.ends_on >= now.date(),  # a campaign past its last day never starts
        )
        .values(status="launched", launched_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def launch(session: Session, campaign_id: int, now: dt.datetime) -> dict[str, Any]:
    """Assign every eligible customer to target or control and plan the target's contacts.

    Idempotent: a second launch (or one racing the first) changes nothing and returns the
    first launch's result. Does not commit; the caller's transaction does.
    """
    claimed = claim_launch(session, campaign_id, now)
    campaign = session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None:
        raise NotFound(f"No campaign with id {campaign_id}.")
    if not claimed:
        if campaign.status == "draft":  # the UPDATE's date condition refused it
            raise Conflict(f"Campaign {campaign_id} ended on {campaign.ends_on}; it cannot start.")
        return {**(campaign.summary or {}), "launched_now": False}
    offer = session.get(Offer, campaign.offer_code)
    if offer is None or not offer.active:
        raise Conflict(f"Offer {campaign.offer_code} is no longer active.")
    audience = evaluate(session, campaign.spec or {}, offer, campaign.channels, now)
    target, control = split(audience.members, campaign.control_share, seed=campaign.id)
    summary = summarise(audience, target, control, offer, campaign.control_share)
    summary["planned"], items = _plan_contacts(session, campaign, offer, target, control, now)
    rows = [
        (campaign.id, m.customer_id, group, channel, item, m.segment, round(m.propensity, 6), now)
        for group, members in (("target", target), ("control", control))
        for m in members
        for channel, item in [
            (m.channel, items.get(m.customer_id)) if group == "target" else (None, None)
        ]
    ]
    bulk_insert(session, CampaignMember.__table__, MEMBER_COLUMNS, rows)
    summary |= {"campaign_id": campaign.id, "launched_at": now.isoformat(timespec="seconds")}
    campaign.summary = summary
    session.flush()
    return {**summary, "launched_now": True}


def _plan_contacts(
    session: Session,
    campaign: Campaign,
    offer: Offer,
    target: list[Member],
    control: list[Member],
    now: dt.datetime,
) -> tuple[int, dict[int, int]]:
    """One outreach item per target member on their channel; the control group gets none.

    Senders (call list, proactive messages) contact only through outreach items, so a
    control member without an item is never contacted by this campaign; the guard below
    makes a bug that would plan one fail the whole launch instead of spoiling the measure."""
    start, end = window(campaign)
    margin = float(to_money(offer.margin))
    items = [
        {
            "customer_id": m.customer_id,
            "channel": m.channel,
            "source": "campaign",
            "campaign_id": campaign.id,
            "offer_code": offer.code,
            "reason": {
                "code": "campaign",
                "text": f'Campaign "{campaign.name}": {offer.title} '
                f"(chance of acceptance {m.propensity:.0%}).",
                "figures": {
                    "campaign_id": campaign.id,
                    "campaign": campaign.name,
                    "offer_code": offer.code,
                    "propensity": round(m.propensity, 3),
                },
            },
            "expected_value": round(m.propensity * margin, 2),
            "not_before": start if start > now else None,
            "expires_at": end,
            "dedupe_key": dedupe_key(campaign.id, m.customer_id),
        }
        for m in target
    ]
    held_back = {m.customer_id for m in control}
    if any(item["customer_id"] in held_back for item in items):
        raise RuntimeError(f"Campaign {campaign.id} would contact its control group.")
    planned = outreach.enqueue(session, items)
    # The items' ids for the members (written next, by COPY): one indexed read, no UPDATE.
    ids = session.execute(
        select(OutreachItem.customer_id, OutreachItem.id).where(
            OutreachItem.campaign_id == campaign.id, OutreachItem.source == "campaign"
        )
    )
    return planned, dict(ids.tuples().all())
