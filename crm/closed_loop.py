"""Closed-loop campaign measurement: record every presentation and its outcome, and report
response rates by any mix of segment, channel, offer, context and presenter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from crm import metrics
from crm.clock import business_now
from crm.models import Offer, OfferPresentation, Opportunity, SegmentAssignment
from crm.offers.policy import contact_state
from crm.service.errors import Conflict, Unprocessable

DIMENSIONS = {
    "segment": OfferPresentation.segment,
    "channel": OfferPresentation.channel,
    "offer": OfferPresentation.offer_code,
    "context": OfferPresentation.context,
    "presented_by": OfferPresentation.presented_by,
}
FINAL = {"accepted", "declined"}


class PolicyViolation(Conflict):
    """Showing this offer now would break the contact policy."""


class OutcomeConflict(Conflict):
    """The presentation already has a different final outcome."""


class UnknownOffer(Unprocessable):
    """No active offer has this code."""


def record_presentation(
    session: Session,
    customer_id: int,
    offer_code: str,
    context: str,
    channel: str,
    presented_by: str,
    conversation_id: str | None,
    propensity: float | None = None,
    follow_up: bool = False,
) -> OfferPresentation:
    """Record that an offer was shown. A `follow_up` repeats an offer the customer already
    has (e.g. on the phone, the offer the app showed days ago): not a new contact, so the
    weekly limit does not refuse it; a recent decline still does."""
    offer = session.get(Offer, offer_code)
    if offer is None or not offer.active:
        raise UnknownOffer(f"No active offer with code '{offer_code}'.")
    now = business_now()
    policy = contact_state(session, customer_id, now)
    if offer_code in policy.declined_recently:
        raise PolicyViolation(
            f"Offer {offer_code} was declined on {policy.declined_recently[offer_code]:%Y-%m-%d}; "
            f"it may not be shown again within {policy.cooldown_days} days."
        )
    if policy.remaining_this_week <= 0 and not follow_up:
        raise PolicyViolation(
            f"{policy.presented_last_7_days} offers were already presented in the last 7 days "
            f"(limit {policy.weekly_limit})."
        )
    segment = session.scalar(
        select(SegmentAssignment.segment).where(SegmentAssignment.customer_id == customer_id)
    )
    row = OfferPresentation(
        customer_id=customer_id,
        offer_code=offer_code,
        context=context,
        channel=channel,
        presented_by=presented_by,
        conversation_id=conversation_id,
        segment=segment,
        propensity=propensity,
        presented_at=now,
    )
    session.add(row)
    session.flush()
    metrics.OFFERS_PRESENTED.labels(offer_code, channel, context).inc()
    return row


def record_outcome(session: Session, presentation: OfferPresentation, outcome: str) -> bool:
    """Set the outcome; True if it changed. 'ignored' may later become accepted or declined."""
    if presentation.outcome == outcome:
        return False
    if presentation.outcome in FINAL:
        raise OutcomeConflict(
            f"Presentation {presentation.id} is already recorded as {presentation.outcome}."
        )
    presentation.outcome = outcome
    presentation.outcome_at = business_now()
    metrics.OFFER_OUTCOMES.labels(presentation.offer_code, presentation.channel, outcome).inc()
    if outcome == "accepted":
        offer = session.get(Offer, presentation.offer_code)
        if offer is not None:
            session.execute(
                update(Opportunity)
                .where(
                    Opportunity.customer_id == presentation.customer_id,
                    Opportunity.status == "open",
                    Opportunity.offer_category.in_(
                        (offer.category, "wealth")
                        if offer.category == "deposit"
                        else (offer.category,)
                    ),
                )
                .values(status="converted")
            )
    session.flush()
    return True


def response_rates(
    session: Session,
    by: list[str],
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    p = OfferPresentation
    columns = [DIMENSIONS[d].label("offer_code" if d == "offer" else d) for d in by]

    def count(outcome: str | None) -> Any:
        condition = p.outcome.is_(None) if outcome is None else p.outcome == outcome
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        *columns,
        func.count().label("presented"),
        count("accepted").label("accepted"),
        count("declined").label("declined"),
        count("ignored").label("ignored"),
        count(None).label("pending"),
    )
    if since is not None:
        query = query.where(p.presented_at >= since)
    if until is not None:
        query = query.where(p.presented_at < until)
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    rows = []
    for row in session.execute(query).mappings():
        item = dict(row)
        for key in ("presented", "accepted", "declined", "ignored", "pending"):
            item[key] = int(item[key])
        item["response_rate"] = (
            round(item["accepted"] / item["presented"], 4) if item["presented"] else 0.0
        )
        rows.append(item)
    return rows
