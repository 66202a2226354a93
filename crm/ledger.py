"""Postings and balance history: the running balance and each month's average daily balance.

Average daily balance (the bank's "日均余额") is what the deposit event compares against,
so it is kept per account and month in `account_months` instead of re-walking history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from crm.clock import business_now
from crm.models import Account, AccountMonth, Transaction
from crm.money import to_money


def month_index(day: dt.date) -> int:
    """Months since year 0: arithmetic on it crosses year ends without date maths."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def post(
    session: Session,
    account: Account,
    amount: Decimal | str | int,
    kind: str,
    description: str = "",
    posted_at: dt.datetime | None = None,
    status: str = "posted",
) -> Transaction:
    """Book a transaction; a posted one moves the balance and records the balance after it."""
    amount = to_money(amount)
    row = Transaction(
        account_id=account.id,
        customer_id=account.customer_id,
        posted_at=posted_at or business_now(),
        amount=amount,
        kind=kind,
        description=description,
        status=status,
    )
    if status == "posted":
        account.balance = to_money(account.balance) + amount
        row.balance_after = account.balance
    session.add(row)
    session.flush()
    return row


def monthly_average_balances(
    opening: Decimal, postings: Sequence[tuple[dt.datetime, Decimal]], end: dt.date
) -> dict[int, tuple[Decimal, Decimal, int]]:
    """{month: (average end-of-day balance, month-end balance, days counted)}.

    Days run from the first posting to `end`; postings must be in time order.
    """
    if not postings:
        return {}
    by_day: dict[dt.date, Decimal] = {}
    for when, amount in postings:
        by_day[when.date()] = by_day.get(when.date(), Decimal(0)) + amount
    day = postings[0][0].date()
    balance = opening
    totals: dict[int, list] = {}
    while day <= end:
        balance += by_day.get(day, Decimal(0))
        month = totals.setdefault(month_index(day), [Decimal(0), Decimal(0), 0])
        month[0] += balance
        month[1] = balance
        month[2] += 1
        day += dt.timedelta(days=1)
    return {m: (to_money(t / n), to_money(last), n) for m, (t, last, n) in totals.items()}


def refresh_account_months(
    session: Session, account_ids: Iterable[int], as_of: dt.datetime | None = None
) -> None:
    """Recompute the monthly averages of these accounts from their posted transactions."""
    end = (as_of or business_now()).date()
    for account_id in account_ids:
        account = session.get(Account, account_id)
        if account is None:
            continue
        rows = session.execute(
            select(Transaction.posted_at, Transaction.amount)
            .where(
                Transaction.account_id == account_id,
                Transaction.status == "posted",
                Transaction.posted_at < dt.datetime.combine(end, dt.time()) + dt.timedelta(1),
            )
            .order_by(Transaction.posted_at, Transaction.id)
        ).all()
        later = session.scalars(
            select(Transaction.amount).where(
                Transaction.account_id == account_id,
                Transaction.status == "posted",
                Transaction.posted_at >= dt.datetime.combine(end, dt.time()) + dt.timedelta(1),
            )
        ).all()
        postings = [(when, to_money(amount)) for when, amount in rows]
        closing = to_money(account.balance) - sum(map(to_money, later), Decimal(0))
        opening = closing - sum((a for _, a in postings), Decimal(0))
        months = monthly_average_balances(opening, postings, end)
        session.execute(delete(AccountMonth).where(AccountMonth.account_id == account_id))
        if months:
            session.execute(
                insert(AccountMonth),
                [
                    {
                        "account_id": account_id,
                        "customer_id": account.customer_id,
                        "month": m,
                        "avg_balance": avg,
                        "end_balance": last,
                        "days": days,
                    }
                    for m, (avg, last, days) in sorted(months.items())
                ],
            )
    session.flush()
