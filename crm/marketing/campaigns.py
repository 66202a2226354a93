"""Campaigns for marketing staff: create from a spec, preview the audience, launch, measure.

The pieces live beside this module: `audience` (who, and who is excluded why), `launch` (one
launcher, target and control groups, the target's outreach items), `results` (contacts,
conversion, uplift with its interval) and `uplift` (the statistics). This module is the
entry point the console and the bench call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.marketing.audience import CHANNELS, check_spec, evaluate, split
from crm.marketing.campaign_models import Campaign, CampaignMember
from crm.marketing.launch import launch, summarise
from crm.marketing.results import results, results_csv
from crm.models import Offer
from crm.money import money_str
from crm.service.errors import NotFound, Unprocessable

__all__ = ["create", "describe", "get", "launch", "listing", "preview", "results", "results_csv"]

SPEC_KEYS = (
    "segments",
    "risk_appetites",
    "churn_bands",
    "holdings_require",
    "holdings_exclude",
    "channel_preference",
    "customer_ids",
)
MAX_CONTROL_SHARE = 0.5


def clean_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Only the known filters, empty ones dropped; 422 for unknown values."""
    out = {k: spec[k] for k in SPEC_KEYS if spec.get(k)}
    problems = check_spec(out)
    if problems:
        raise Unprocessable(" ".join(problems))
    if "customer_ids" in out:
        out["customer_ids"] = sorted({int(c) for c in out["customer_ids"]})
    return out


def _offer(session: Session, code: str) -> Offer:
    offer = session.get(Offer, code)
    if offer is None or not offer.active:
        raise Unprocessable(f"No active offer with code '{code}'.")
    return offer


def _channels(channels: Sequence[str]) -> list[str]:
    ordered = list(dict.fromkeys(channels))
    unknown = set(ordered) - set(CHANNELS)
    if not ordered or unknown:
        raise Unprocessable(f"Channels must be among {', '.join(CHANNELS)}.")
    return ordered


def _share(share: float) -> float:
    if not 0 <= share <= MAX_CONTROL_SHARE:
        raise Unprocessable(f"The control share must be between 0 and {MAX_CONTROL_SHARE}.")
    return float(share)


def _costs(costs: dict[str, Any], channels: list[str]) -> dict[str, str]:
    out = {}
    for channel in channels:
        try:
            value = Decimal(str(costs.get(channel, "0")))
        except InvalidOperation:
            raise Unprocessable(f"Cost per contact for {channel} is not a number.") from None
        if value < 0 or not value.is_finite():
            raise Unprocessable(f"Cost per contact for {channel} must be zero or more.")
        out[channel] = money_str(value)
    return out


def create(
    session: Session,
    *,
    name: str,
    spec: dict[str, Any],
    offer_code: str,
    channels: Sequence[str],
    starts_on: dt.date,
    ends_on: dt.date,
    control_share: float = 0.10,
    cost_per_contact: dict[str, Any] | None = None,
    created_by: int | None = None,
    now: dt.datetime,
) -> Campaign:
    """A draft campaign (nothing is contacted until it is launched)."""
    if not name.strip():
        raise Unprocessable("A campaign needs a name.")
    if ends_on < starts_on:
        raise Unprocessable("The campaign ends before it starts.")
    if ends_on < now.date():
        raise Unprocessable("The campaign's last day has passed.")
    _offer(session, offer_code)
    ordered = _channels(channels)
    campaign = Campaign(
        name=name.strip(),
        status="draft",
        spec=clean_spec(spec),
        offer_code=offer_code,
        channels=ordered,
        starts_on=starts_on,
        ends_on=ends_on,
        control_share=_share(control_share),
        cost_per_contact=_costs(cost_per_contact or {}, ordered),
        created_by=created_by,
        created_at=now,
    )
    session.add(campaign)
    session.flush()
    return campaign


def preview(
    session: Session,
    spec: dict[str, Any],
    now: dt.datetime,
    *,
    offer_code: str,
    channels: Sequence[str],
    control_share: float = 0.10,
    seed: int = 0,
) -> dict[str, Any]:
    """What a launch now would do: sizes by segment and channel, exclusions and why, the
    control group, expected responses (the propensity model over the target group).
    With the campaign's id as `seed`, the split is the one its launch would draw."""
    offer = _offer(session, offer_code)
    share = _share(control_share)
    audience = evaluate(session, clean_spec(spec), offer, _channels(channels), now)
    target, control = split(audience.members, share, seed)
    return summarise(audience, target, control, offer, share)


def get(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"No campaign with id {campaign_id}.")
    return campaign


def status_on(campaign: Campaign, today: dt.date) -> str:
    """'ended' once a launched campaign is past its last day."""
    if campaign.status == "launched" and campaign.ends_on < today:
        return "ended"
    return campaign.status


def describe(campaign: Campaign, today: dt.date) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "status": status_on(campaign, today),
        "spec": campaign.spec,
        "offer_code": campaign.offer_code,
        "channels": campaign.channels,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "control_share": campaign.control_share,
        "cost_per_contact": campaign.cost_per_contact,
        "created_by": campaign.created_by,
        "created_at": campaign.created_at.isoformat(timespec="seconds"),
        "launched_at": campaign.launched_at.isoformat(timespec="seconds")
        if campaign.launched_at
        else None,
        "summary": campaign.summary,
    }


def listing(session: Session, today: dt.date, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(limit))
    return [describe(c, today) for c in rows]


def control_group(
    session: Session, customer_ids: Sequence[int], offer_code: str | None = None
) -> set[int]:
    """Customers held back in the control group of a launched campaign (for this offer, if
    given). Campaign launches never plan them a contact; other planners (event outreach) can
    leave them out too, so the campaign's offer does not reach its control group another way."""
    out: set[int] = set()
    ids = list(customer_ids)
    query = (
        select(CampaignMember.customer_id)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .where(CampaignMember.grp == "control", Campaign.status == "launched")
    )
    if offer_code is not None:
        query = query.where(Campaign.offer_code == offer_code)
    for start in range(0, len(ids), 5_000):
        part = ids[start : start + 5_000]
        out |= set(session.scalars(query.where(CampaignMember.customer_id.in_(part))))
    return out
