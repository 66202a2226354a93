"""Contact policy: don't re-offer what the customer declined recently, and don't contact a
customer with more than N offers a week (both in settings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import OfferPresentation
from crm.settings import get_database_settings

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class ContactState:
    weekly_limit: int
    presented_last_7_days: int
    declined_recently: dict[str, dt.datetime]  # offer code -> when it was declined
    cooldown_days: int

    @property
    def remaining_this_week(self) -> int:
        return max(0, self.weekly_limit - self.presented_last_7_days)


def contact_state(session: Session, customer_id: int, now: dt.datetime) -> ContactState:
    """What the policy allows for this customer right now (one indexed query)."""
    settings = get_database_settings()
    cooldown = dt.timedelta(days=settings.crm_decline_cooldown_days)
    since = now - max(cooldown, WEEK)
    rows = session.execute(
        select(
            OfferPresentation.offer_code,
            OfferPresentation.presented_at,
            OfferPresentation.outcome,
            OfferPresentation.outcome_at,
        ).where(
            OfferPresentation.customer_id == customer_id,
            OfferPresentation.presented_at > since,
        )
    ).all()
    week = sum(1 for r in rows if r.presented_at > now - WEEK)
    declined: dict[str, dt.datetime] = {}
    for code, presented_at, outcome, outcome_at in rows:
        when = outcome_at or presented_at
        if outcome == "declined" and when > now - cooldown:
            declined[code] = max(when, declined.get(code, when))
    return ContactState(
        weekly_limit=settings.crm_offers_per_week,
        presented_last_7_days=week,
        declined_recently=declined,
        cooldown_days=settings.crm_decline_cooldown_days,
    )
