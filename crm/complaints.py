"""Complaints: a reference the customer can quote and a due date from the category's SLA."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.analytics.features import refresh_features
from crm.clock import business_now
from crm.models import Complaint, Interaction

# Business days to resolve, per category (disputes follow the card schemes' longer cycle).
SLA_BUSINESS_DAYS = {
    "fees": 5,
    "cards": 3,
    "payments": 5,
    "service": 10,
    "digital": 5,
    "dispute": 15,
    "other": 10,
}
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def add_business_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def new_reference(today: dt.date) -> str:
    return f"CMP-{today:%y%m%d}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def create_complaint(
    session: Session, customer_id: int, category: str, description: str, channel: str
) -> Complaint:
    """Store the complaint (retrying the rare reference clash) and refresh the churn inputs."""
    now = business_now()
    for _ in range(5):
        complaint = Complaint(
            reference=new_reference(now.date()),
            customer_id=customer_id,
            category=category,
            description=description,
            channel=channel,
            status="open",
            created_at=now,
            sla_due=add_business_days(now.date(), SLA_BUSINESS_DAYS[category]),
        )
        try:
            with session.begin_nested():
                session.add(complaint)
        except IntegrityError:
            continue
        session.add(
            Interaction(
                customer_id=customer_id,
                channel=channel,
                kind="complaint",
                summary=f"Complaint {complaint.reference} ({category})",
                occurred_at=now,
            )
        )
        session.flush()
        refresh_features(session, [customer_id])
        return complaint
    raise RuntimeError("could not allocate a unique complaint reference")
