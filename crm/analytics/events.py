"""Event-based marketing: a deposit larger than the account's previous 6-month average
daily balance is a moment to offer a wealth or investment product (the seed case's
"突发大额活存" event).

The scan is one set-based SQL query over recent deposits joined to the precomputed monthly
balances; Python only words the reasons for the (few) hits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, and_, cast, exists, extract, func, select
from sqlalchemy.orm import Session

from crm.bulk import bulk_insert
from crm.clock import business_now
from crm.ledger import month_start
from crm.models import Account, AccountMonth, Opportunity, Transaction
from crm.money import money_str, to_money

EVENT_KIND = "large_deposit"
CREDIT_KINDS = ("deposit", "transfer_in")  # money the customer brings in; not salary or refunds
MIN_AMOUNT = Decimal("10000")  # below this a deposit is not "large", whatever the average
LOOKBACK_MONTHS = 6
MIN_HISTORY_MONTHS = 3  # a brand-new account has no meaningful average yet
OPPORTUNITY_DAYS = 30


@dataclass(frozen=True)
class ScanResult:
    deposits_checked: int
    opportunities: int
    seconds: float


def scan_deposit_events(
    session: Session,
    as_of: dt.datetime | None = None,
    days: int = 30,
    customer_ids: Sequence[int] | None = None,
) -> ScanResult:
    """Find deposits in the last `days` above the previous 6-month average; store opportunities."""
    started = time.perf_counter()
    now = as_of or business_now()
    t = Transaction
    m = AccountMonth
    deposit_month = cast(
        extract("year", t.posted_at) * 12 + extract("month", t.posted_at) - 1, Integer
    )
    recent = [
        t.kind.in_(CREDIT_KINDS),
        t.status == "posted",
        t.posted_at > now - dt.timedelta(days=days),
        t.posted_at <= now,
        t.amount >= MIN_AMOUNT,
    ]
    if customer_ids is not None:
        recent.append(t.customer_id.in_(customer_ids))
    already = exists().where(Opportunity.kind == EVENT_KIND, Opportunity.transaction_id == t.id)
    average = func.avg(m.avg_balance)
    query = (
        select(
            t.id,
            t.customer_id,
            t.amount,
            t.posted_at,
            Account.currency,
            average,
            func.count(m.month),
            func.min(m.month),
            func.max(m.month),
        )
        .join(Account, and_(Account.id == t.account_id, Account.kind == "current"))
        .join(
            m,
            and_(
                m.account_id == t.account_id,
                m.month >= deposit_month - LOOKBACK_MONTHS,
                m.month < deposit_month,
            ),
        )
        .where(*recent, ~already)
        .group_by(t.id, t.customer_id, t.amount, t.posted_at, Account.currency)
        .having(func.count(m.month) >= MIN_HISTORY_MONTHS, t.amount > average)
    )
    hits = session.execute(query).all()
    checked = session.scalar(select(func.count()).select_from(t).where(*recent)) or 0
    rows = []
    for tx_id, customer_id, amount, posted_at, currency, avg, months, first, last in hits:
        amount, avg = to_money(amount), to_money(avg)
        ratio = round(float(amount / avg), 1) if avg > 0 else None
        period = f"{month_start(first):%b %Y}-{month_start(last):%b %Y}"
        text = (
            f"Deposit of {money_str(amount)} {currency} on {posted_at:%Y-%m-%d} is "
            + (f"{ratio}x " if ratio else "above ")
            + f"the average daily balance of {money_str(avg)} {currency} over the previous "
            f"{months} months ({period}): offer a wealth or investment product."
        )
        figures = {
            "amount": money_str(amount),
            "currency": currency,
            "average_balance": money_str(avg),
            "ratio": ratio,
            "months": int(months),
            "deposit_date": posted_at.date().isoformat(),
        }
        expires = posted_at + dt.timedelta(days=OPPORTUNITY_DAYS)
        rows.append((customer_id, EVENT_KIND, "wealth", text, figures, tx_id, "open", now, expires))
    bulk_insert(
        session,
        Opportunity.__table__,
        [
            "customer_id",
            "kind",
            "offer_category",
            "reason",
            "figures",
            "transaction_id",
            "status",
            "created_at",
            "expires_at",
        ],
        rows,
    )
    session.expire_all()
    return ScanResult(int(checked), len(rows), time.perf_counter() - started)


def open_opportunities(
    session: Session, customer_id: int, as_of: dt.datetime | None = None
) -> list[Opportunity]:
    now = as_of or business_now()
    return list(
        session.scalars(
            select(Opportunity)
            .where(
                Opportunity.customer_id == customer_id,
                Opportunity.status == "open",
                (Opportunity.expires_at.is_(None)) | (Opportunity.expires_at > now),
            )
            .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
        )
    )
