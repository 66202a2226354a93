"""The single customer view: profile with segment and reasons, accounts, transactions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.analytics.features import features_of, years_between
from crm.analytics.segments import SEGMENT_LABELS, assign
from crm.clock import business_now, business_today
from crm.models import Account, Customer, Product, SegmentAssignment, Transaction
from crm.schemas import AccountOut, Labelled, ProfileOut, TransactionOut
from crm.service.errors import NotFound

APPETITE_LABELS = {
    "conservative_saver": "Conservative saver",
    "balanced": "Balanced",
    "aggressive": "Aggressive",
}


def customer(session: Session, customer_id: int) -> Customer:
    found = session.get(Customer, customer_id)
    if found is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return found


def profile(session: Session, who: Customer) -> ProfileOut:
    """Who the customer is, their segment and risk appetite, and why. A customer the nightly
    batch has not segmented yet is segmented now, in memory: reading never writes."""
    row = session.get(SegmentAssignment, who.id)
    if row is None:
        a = assign(features_of(session, who.id))
        row = SegmentAssignment(
            customer_id=who.id,
            segment=a.segment,
            risk_appetite=a.risk_appetite,
            reasons=a.reasons,
            figures=a.figures,
            computed_at=business_now(),
        )
    risk = [r for r in row.reasons if r["code"].startswith("risk_")]
    today = business_today()
    return ProfileOut(
        id=who.id,
        customer_no=who.customer_no,
        full_name=who.full_name,
        city=who.city,
        joined_on=who.joined_on,
        language=who.language,
        age=years_between(who.birth_date, today),
        tenure_years=max(0, years_between(who.joined_on, today)),
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


def accounts(session: Session, customer_id: int) -> list[AccountOut]:
    rows = session.execute(
        select(Account, Product.name, Product.names)
        .join(Product, Product.code == Account.product_code, isouter=True)
        .where(Account.customer_id == customer_id)
        .order_by(Account.id)
    )
    return [
        AccountOut(
            id=a.id,
            kind=a.kind,
            product_code=a.product_code,
            product_name=name or "",
            product_names=names or {},
            number_last4=a.number[-4:],
            currency=a.currency,
            balance=a.balance,
            credit_limit=a.credit_limit,
            status=a.status,
            opened_on=a.opened_on,
        )
        for a, name, names in rows
    ]


def transactions(
    session: Session,
    customer_id: int,
    limit: int = 20,
    since: dt.date | None = None,
    kind: str | None = None,
) -> list[TransactionOut]:
    """Newest first (pending ones included, marked by status)."""
    query = (
        select(Transaction, Account.currency)
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.customer_id == customer_id)
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
