"""Customer profile (with segment and reasons), accounts and recent transactions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from crm.analytics.features import features_of, years_between
from crm.analytics.segments import SEGMENT_LABELS, assign
from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.clock import business_now, business_today
from crm.models import Account, Product, SegmentAssignment, Transaction
from crm.schemas import AccountOut, Labelled, ProfileOut, TransactionOut

router = APIRouter(
    prefix="/customers", tags=["customers"], dependencies=[Depends(require_service_token)]
)
APPETITE_LABELS = {
    "conservative_saver": "Conservative saver",
    "balanced": "Balanced",
    "aggressive": "Aggressive",
}


@router.get("/{customer_id}", response_model=ProfileOut)
def read_customer(customer: CustomerDep, session: DbSession) -> ProfileOut:
    """The single customer view: who they are, their segment and risk appetite, and why."""
    row = session.get(SegmentAssignment, customer.id)
    if row is None:
        a = assign(features_of(session, customer.id))
        row = SegmentAssignment(
            customer_id=customer.id,
            segment=a.segment,
            risk_appetite=a.risk_appetite,
            reasons=a.reasons,
            figures=a.figures,
            computed_at=business_now(),
        )
        session.add(row)
        session.flush()
    risk = [r for r in row.reasons if r["code"].startswith("risk_")]
    today = business_today()
    return ProfileOut(
        id=customer.id,
        customer_no=customer.customer_no,
        full_name=customer.full_name,
        city=customer.city,
        joined_on=customer.joined_on,
        language=customer.language,
        age=years_between(customer.birth_date, today),
        tenure_years=max(0, years_between(customer.joined_on, today)),
        segment=Labelled(
            code=row.segment,
            label=SEGMENT_LABELS.get(row.segment, row.segment),
            reasons=[r for r in row.reasons if not r["code"].startswith("risk_")],
        ),
        risk_appetite=Labelled(
            code=row.risk_appetite,
            label=APPETITE_LABELS.get(row.risk_appetite, row.risk_appetite),
            reasons=risk,
        ),
        figures=row.figures,
        segment_computed_at=row.computed_at,
    )


@router.get("/{customer_id}/accounts", response_model=list[AccountOut])
def read_accounts(customer: CustomerDep, session: DbSession) -> list[AccountOut]:
    rows = session.execute(
        select(Account, Product.name)
        .join(Product, Product.code == Account.product_code, isouter=True)
        .where(Account.customer_id == customer.id)
        .order_by(Account.id)
    )
    return [
        AccountOut(
            id=a.id,
            kind=a.kind,
            product_code=a.product_code,
            product_name=name or "",
            number_last4=a.number[-4:],
            currency=a.currency,
            balance=a.balance,
            credit_limit=a.credit_limit,
            status=a.status,
            opened_on=a.opened_on,
        )
        for a, name in rows
    ]


@router.get("/{customer_id}/transactions", response_model=list[TransactionOut])
def read_transactions(
    customer: CustomerDep,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    since: Annotated[dt.date | None, Query(description="Only on or after this day")] = None,
    kind: Annotated[str | None, Query(max_length=24, pattern=r"^[a-z_]+$")] = None,
) -> list[TransactionOut]:
    """Newest first (pending ones included, marked by status)."""
    query = (
        select(Transaction, Account.currency)
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.customer_id == customer.id)
        .order_by(Transaction.posted_at.desc(), Transaction.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Transaction.posted_at >= dt.datetime.combine(since, dt.time()))
    if kind is not None:
        query = query.where(Transaction.kind == kind)
    return [
        TransactionOut(
            id=t.id,
            account_id=t.account_id,
            posted_at=t.posted_at,
            amount=t.amount,
            currency=currency,
            kind=t.kind,
            description=t.description,
            status=t.status,
            balance_after=t.balance_after,
        )
        for t, currency in session.execute(query)
    ]
