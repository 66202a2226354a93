"""A campaign's results: what its contacts did, and what it changed against the control group.

Contacts (target group only, from outreach_items and the closed loop's offer_presentations):
  contacted  the item was sent or presented (a message went out, a call was placed)
  reached    contacted and the customer answered: any outcome but no_answer, or an offer
             outcome (accepted / declined) on the presentation
  accepted, declined   the presentation's (or the item's) outcome
  no_answer  contacted but not reached
Conversion (both groups, the campaign's measure of effect): the campaign's offer accepted on
any channel after the launch (the assistant, a branch call...), or the offer's product opened
on or after the launch day. Uplift = target rate - control rate, 95 % interval by
Newcombe's hybrid score method (crm.marketing.uplift).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from crm.marketing.campaign_models import Campaign, CampaignMember
from crm.marketing.outreach_models import OutreachItem
from crm.marketing.uplift import difference, wilson
from crm.models import Account, Offer, OfferPresentation
from crm.money import money_str, to_money
from crm.service.errors import NotFound

COUNTS = ("members", "contacted", "reached", "accepted", "declined", "no_answer", "converted")


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _breakdown(session: Session, campaign: Campaign, offer: Offer) -> list[dict[str, Any]]:
    m, i, p = CampaignMember, OutreachItem, OfferPresentation
    later = aliased(OfferPresentation)
    assert campaign.launched_at is not None
    accepted_later = exists().where(
        later.customer_id == m.customer_id,
        later.offer_code == offer.code,
        later.outcome == "accepted",
        later.outcome_at >= campaign.launched_at,
    )
    opened_later = exists().where(
        Account.customer_id == m.customer_id,
        Account.product_code == offer.product_code,
        Account.opened_on >= campaign.launched_at.date(),
    )
    contacted = or_(i.presentation_id.is_not(None), i.status.in_(("sent", "done")))
    accepted = or_(p.outcome == "accepted", i.outcome == "accepted")
    declined = or_(p.outcome == "declined", i.outcome == "declined")
    answered = and_(i.outcome.is_not(None), i.outcome != "no_answer")
    query = (
        select(
            m.grp,
            m.segment,
            m.channel,
            func.count().label("members"),
            _sum(contacted).label("contacted"),
            _sum(and_(contacted, or_(accepted, declined, answered))).label("reached"),
            _sum(accepted).label("accepted"),
            _sum(declined).label("declined"),
            _sum(or_(accepted_later, opened_later)).label("converted"),
        )
        .select_from(m)
        .outerjoin(i, i.id == m.outreach_item_id)
        .outerjoin(p, p.id == i.presentation_id)
        .where(m.campaign_id == campaign.id)
        .group_by(m.grp, m.segment, m.channel)
        .order_by(m.grp.desc(), m.segment, m.channel)
    )
    costs = {k: to_money(v) for k, v in (campaign.cost_per_contact or {}).items()}
    rows = []
    for r in session.execute(query).mappings():
        row: dict[str, Any] = {
            "group": r["grp"],
            "segment": r["segment"] or "",
            "channel": r["channel"] or "",
        }
        row |= {k: int(r[k]) for k in COUNTS if k != "no_answer"}
        row["no_answer"] = row["contacted"] - row["reached"]
        row["cost"] = money_str(costs.get(row["channel"], Decimal(0)) * row["contacted"])
        rows.append(row)
    return rows


def _rate(converted: int, members: int) -> dict[str, Any]:
    low, high = wilson(converted, members)
    rate = converted / members if members else None
    return {
        "members": members,
        "converted": converted,
        "rate": None if rate is None else round(rate, 6),
        "low": round(low, 6) if members else None,
        "high": round(high, 6) if members else None,
    }


def results(session: Session, campaign_id: int) -> dict[str, Any]:
    """Contacts by segment x channel, conversion by group, uplift with its interval, costs."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"No campaign with id {campaign_id}.")
    offer = session.get(Offer, campaign.offer_code)
    assert offer is not None
    if campaign.launched_at is None:
        return {"campaign_id": campaign.id, "launched": False, "rows": []}
    rows = _breakdown(session, campaign, offer)
    groups: dict[str, Counter[str]] = {"target": Counter(), "control": Counter()}
    by_channel: dict[str, Counter[str]] = {}
    cost = Decimal(0)
    for row in rows:
        groups[row["group"]].update({k: row[k] for k in COUNTS})
        if row["group"] == "target":
            by_channel.setdefault(row["channel"], Counter()).update({k: row[k] for k in COUNTS})
            cost += to_money(row["cost"])
    t, c = groups["target"], groups["control"]
    accepted = t["accepted"]
    return {
        "campaign_id": campaign.id,
        "launched": True,
        "rows": rows,
        "by_channel": [{"channel": ch, **dict(n)} for ch, n in sorted(by_channel.items())],
        "totals": {
            **{k: t[k] for k in COUNTS if k not in ("members", "converted")},
            "cost": money_str(cost),
            "cost_per_acceptance": money_str(to_money(cost / accepted)) if accepted else None,
        },
        "conversion": {
            "target": _rate(t["converted"], t["members"]),
            "control": _rate(c["converted"], c["members"]),
        },
        "uplift": difference(t["converted"], t["members"], c["converted"], c["members"])
        | {"confidence": 0.95},
    }


def results_csv(data: dict[str, Any]) -> str:
    """The breakdown as CSV, then the conversion and uplift lines (a spreadsheet's two tables)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "segment", "channel", *COUNTS, "cost"])
    for row in data.get("rows", []):
        writer.writerow(
            [row["group"], row["segment"], row["channel"]]
            + [row[k] for k in COUNTS]
            + [row["cost"]]
        )
    if data.get("launched"):
        writer.writerow([])
        writer.writerow(["measure", "value", "ci95_low", "ci95_high"])
        for group in ("target", "control"):
            g = data["conversion"][group]
            writer.writerow([f"conversion_{group}", g["rate"], g["low"], g["high"]])
        u = data["uplift"]
        writer.writerow([f"uplift ({u['method']})", u["uplift"], u["low"], u["high"]])
        totals = data["totals"]
        writer.writerow(["cost", totals["cost"], "", ""])
        writer.writerow(["cost_per_acceptance", totals["cost_per_acceptance"] or "", "", ""])
    return out.getvalue()
