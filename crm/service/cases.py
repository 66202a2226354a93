"""Complaints and disputes (a reference the customer can quote, a due date from the
category's SLA) and churn risk with the signals the assistant hears."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.analytics.churn import churn_risk as score_churn
from crm.analytics.features import features_of, refresh_features
from crm.clock import business_now
from crm.models import ChurnSignal, Complaint, Interaction
from crm.schemas import ChurnRiskOut, ComplaintOut

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


def complaints(session: Session, customer_id: int) -> list[ComplaintOut]:
    rows = session.scalars(
        select(Complaint)
        .where(Complaint.customer_id == customer_id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
    )
    return [ComplaintOut.model_validate(c) for c in rows]


def file_complaint(
    session: Session,
    customer_id: int,
    category: str,
    description: str,
    channel: str,
    request_key: str | None = None,
) -> tuple[ComplaintOut, bool]:
    """The complaint, and True when it was filed now (False: this request filed it before)."""
    earlier = _filed_by(session, customer_id, request_key)
    if earlier is not None:
        return ComplaintOut.model_validate(earlier), False
    try:
        with session.begin_nested():
            complaint = create_complaint(
                session, customer_id, category, description, channel, request_key
            )
    except IntegrityError:
        # The same request on another replica at the same moment: the unique key decides.
        earlier = _filed_by(session, customer_id, request_key)
        if earlier is None:
            raise
        return ComplaintOut.model_validate(earlier), False
    return ComplaintOut.model_validate(complaint), True


def _filed_by(session: Session, customer_id: int, request_key: str | None) -> Complaint | None:
    if request_key is None:
        return None
    return session.scalar(
        select(Complaint).where(
            Complaint.customer_id == customer_id, Complaint.request_key == request_key
        )
    )


def churn_risk(session: Session, customer_id: int) -> ChurnRiskOut:
    """Score 0-1 and the top factors, strongest first (each with code, text and figures)."""
    f = features_of(session, customer_id)
    risk = score_churn(f)
    return ChurnRiskOut(
        customer_id=customer_id, score=risk.score, level=risk.level, factors=risk.factors,
        as_of=f.as_of,
    )  # fmt: skip


def record_churn_signal(
    session: Session, customer_id: int, signal: str, channel: str, conversation_id: str | None
) -> ChurnRiskOut:
    """Record the signal and answer with the churn risk it leads to."""
    session.add(
        ChurnSignal(
            customer_id=customer_id,
            signal=signal,
            channel=channel,
            conversation_id=conversation_id,
        )
    )
    session.flush()
    refresh_features(session, [customer_id])
    return churn_risk(session, customer_id)


def create_complaint(
    session: Session,
    customer_id: int,
    category: str,
    description: str,
    channel: str,
    request_key: str | None = None,
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
            request_key=request_key,
        )
        try:
            with session.begin_nested():
                session.add(complaint)
        except IntegrityError:
            if _filed_by(session, customer_id, request_key) is not None:
                raise  # not a reference clash: the same request, filed by another replica
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
