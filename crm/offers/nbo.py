"""Next-best offer: eligible offers for a customer and context, ranked by expected value
(propensity x margin), within the contact policy.

Reads only precomputed rows (features, segment, open opportunities, recent presentations)
and the small offer catalogue, so it answers in milliseconds however long the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.analytics.events import open_opportunities
from crm.analytics.features import features_of
from crm.analytics.segments import assign
from crm.clock import business_now
from crm.models import CustomerFeatures, Offer, SegmentAssignment
from crm.money import to_money
from crm.offers.eligibility import ineligibility
from crm.offers.policy import ContactState, contact_state
from crm.offers.propensity import current_model, customer_vector, design_row, rules_propensity
from crm.offers.reasons import offer_reasons, specific_count
from crm.reasons import Reason

CONTEXTS = ("chat", "retention", "event", "agent")


@dataclass
class RankedOffer:
    offer: Offer
    propensity: float
    expected_value: Decimal
    reasons: list[Reason]
    opportunity_id: int | None


@dataclass
class Decision:
    segment: str
    risk_appetite: str
    model: dict[str, Any]
    policy: ContactState
    offers: list[RankedOffer]
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    not_eligible: list[dict[str, Any]] = field(default_factory=list)


def segment_of(session: Session, f: CustomerFeatures) -> tuple[str, str]:
    row = session.get(SegmentAssignment, f.customer_id)
    if row is not None:
        return row.segment, row.risk_appetite
    a = assign(f)
    return a.segment, a.risk_appetite


def next_best_offers(
    session: Session,
    customer_id: int,
    context: str,
    limit: int = 3,
    as_of: dt.datetime | None = None,
    categories: tuple[str, ...] = (),
) -> Decision:
    """The offers to show, best first; with `categories`, only offers in those (a customer
    asking about credit cards hears about a card or nothing, and the week's contact
    allowance is not spent on the ranking's other offers)."""
    now = as_of or business_now()
    f = features_of(session, customer_id)
    segment, appetite = segment_of(session, f)
    opportunities = open_opportunities(session, customer_id, now)
    by_category = {}
    for o in opportunities:
        by_category.setdefault(o.offer_category, o)
    policy = contact_state(session, customer_id, now)
    model = current_model(session)
    customer = customer_vector(f, segment, appetite, bool(opportunities)) if model else None
    decision = Decision(
        segment=segment,
        risk_appetite=appetite,
        model={"kind": "logistic_regression", "id": model.id, "auc": model.metrics.get("auc")}
        if model
        else {"kind": "rules", "id": None, "auc": None},
        policy=policy,
        offers=[],
    )
    catalogue = session.scalars(select(Offer).where(Offer.active.is_(True)).order_by(Offer.code))
    for offer in catalogue:
        if context not in (offer.contexts or ()):
            continue
        if categories and offer.category not in categories:
            continue
        opportunity = by_category.get(offer.category)
        if opportunity is None and offer.category == "deposit":
            opportunity = by_category.get("wealth")
        if context == "event" and opportunity is None:
            continue
        blocked = ineligibility(offer, f, segment, appetite)
        if blocked:
            decision.not_eligible.append(
                {"code": offer.code, "rule": blocked[0], "text": blocked[1]}
            )
            continue
        if offer.code in policy.declined_recently:
            when = policy.declined_recently[offer.code]
            decision.suppressed.append(
                {
                    "code": offer.code,
                    "rule": "declined_recently",
                    "text": f"Declined on {when:%Y-%m-%d}; not shown again for "
                    f"{policy.cooldown_days} days.",
                }
            )
            continue
        reasons = offer_reasons(offer, f, segment, appetite, opportunity)
        if model is not None and customer is not None:
            p = model.score(design_row(customer, offer.code, offer.category, context))
        else:
            p = rules_propensity(offer, specific_count(reasons))
        ev = to_money(Decimal(str(p)) * to_money(offer.margin))
        decision.offers.append(
            RankedOffer(offer, p, ev, reasons, opportunity.id if opportunity else None)
        )
    decision.offers.sort(key=lambda r: (r.expected_value, r.propensity), reverse=True)
    shown = min(limit, policy.remaining_this_week)
    for extra in decision.offers[shown:limit]:
        decision.suppressed.append(
            {
                "code": extra.offer.code,
                "rule": "weekly_limit",
                "text": f"{policy.presented_last_7_days} offers already presented in the last "
                f"7 days (limit {policy.weekly_limit}).",
            }
        )
    decision.offers = decision.offers[:shown]
    return decision
