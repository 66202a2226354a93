"""Event-triggered marketing moments beyond the large deposit (crm.analytics.events):

- salary_change: the salary stopped coming, or the latest one differs markedly from the ones
  before (a job change: a retention call if it stopped, a wealth offer if it rose);
- large_transfer_out: a large share of the balance moved to an account at another bank (a
  churn signal);
- card_expiring: an active card expires within CARD_DAYS (a reminder, not a sale);
- time_deposit_maturing: a time deposit reaches the end of its term within MATURITY_DAYS.

Each scan is one set-based query; Python only words the reasons for the hits. Opportunities
are deduplicated by the database: UNIQUE(kind, transaction_id) for transaction events and
UNIQUE(kind, source_key) for the others, with INSERT ... ON CONFLICT DO NOTHING, so two scans
racing each other (two schedulers, a manual run) store each moment once.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, cast, exists, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from crm.analytics.events import scan_deposit_events
from crm.bulk import insert_new
from crm.models import Account, Card, Opportunity, Transaction
from crm.money import money_str, to_money

SALARY_CHANGE = "salary_change"
TRANSFER_OUT = "large_transfer_out"
CARD_EXPIRING = "card_expiring"
TD_MATURING = "time_deposit_maturing"
LARGE_DEPOSIT = "large_deposit"
KINDS = (LARGE_DEPOSIT, SALARY_CHANGE, TRANSFER_OUT, CARD_EXPIRING, TD_MATURING)

# salary_change
SALARY_LOOKBACK_DAYS = 300  # about ten monthly salaries to compare against
SALARY_GAP_DAYS = 45  # a monthly salary later than this has stopped (or moved banks)
SALARY_STALE_DAYS = 180  # stopped longer ago than this: old news, not a moment
SALARY_MIN_PAYMENTS = 3  # fewer earlier payments say nothing about a "usual" salary
SALARY_CHANGE_SHARE = Decimal("0.30")  # +-30% of the usual salary is a marked change
# large_transfer_out
TRANSFER_DAYS = 30
TRANSFER_MIN_AMOUNT = Decimal("10000")
TRANSFER_MIN_SHARE = Decimal("0.25")  # of the balance just before the transfer
OTHER_BANK_PATTERNS = ("%another bank%", "%other bank%")  # as the ledger describes them
# card_expiring
CARD_DAYS = 45
# time_deposit_maturing: the term by product; opened_on + whole terms (the bank renews a time
# deposit automatically at the end of each term) gives the next maturity.
TERM_MONTHS = {"TD12": 12}
MATURITY_DAYS = 30
OPPORTUNITY_DAYS = 30
COLUMNS = (
    "customer_id",
    "kind",
    "offer_category",
    "reason",
    "figures",
    "transaction_id",
    "source_key",
    "status",
    "created_at",
    "expires_at",
)


def store(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert opportunities; one the unique constraints already hold is skipped, not an error."""
    return insert_new(
        session, Opportunity.__table__, [{c: r.get(c) for c in COLUMNS} for r in rows]
    )


def _row(customer_id: int, kind: str, category: str, text: str, figures: dict, **more) -> dict:
    return {
        "customer_id": int(customer_id),
        "kind": kind,
        "offer_category": category,
        "reason": text,
        "figures": figures,
        "status": "open",
        **more,
    }


def _known(kind: str, key: Any) -> Any:
    return exists().where(Opportunity.kind == kind, Opportunity.source_key == key)


def scan_salary_changes(session: Session, now: dt.datetime) -> int:
    """Salaries that stopped (none for SALARY_GAP_DAYS after a regular run of them) or whose
    latest payment is SALARY_CHANGE_SHARE above or below the average of the ones before."""
    t = Transaction
    window = [
        t.kind == "salary",
        t.status == "posted",
        t.amount > 0,
        t.posted_at > now - dt.timedelta(days=SALARY_LOOKBACK_DAYS),
        t.posted_at <= now,
    ]
    per_customer = (
        select(
            t.customer_id.label("customer_id"),
            func.max(t.posted_at).label("last_at"),
            func.count().label("payments"),
            func.avg(t.amount).label("average"),
            func.sum(t.amount).label("total"),
        )
        .where(*window)
        .group_by(t.customer_id)
        .subquery()
    )
    rows: list[dict[str, Any]] = []

    stopped = select(
        per_customer.c.customer_id,
        per_customer.c.last_at,
        per_customer.c.payments,
        per_customer.c.average,
    ).where(
        per_customer.c.last_at <= now - dt.timedelta(days=SALARY_GAP_DAYS),
        per_customer.c.last_at > now - dt.timedelta(days=SALARY_STALE_DAYS),
        per_customer.c.payments >= SALARY_MIN_PAYMENTS,
    )
    for customer_id, last_at, payments, average in session.execute(stopped):
        last_at = _as_datetime(last_at)
        key = f"stopped:{customer_id}:{last_at:%Y-%m-%d}"
        average = to_money(average)
        days = (now - last_at).days
        text = (
            f"No salary for {days} days: the last of {payments} payments averaging "
            f"{money_str(average)} CNY came on {last_at:%Y-%m-%d}. The salary may have moved "
            "to another bank: call with a retention offer."
        )
        figures = {
            "change": "stopped",
            "last_salary_date": last_at.date().isoformat(),
            "days_without_salary": days,
            "payments": int(payments),
            "average_salary": money_str(average),
            "currency": "CNY",
        }
        rows.append(
            _row(customer_id, SALARY_CHANGE, "deposit", text, figures, source_key=key)
            | {"created_at": now, "expires_at": now + dt.timedelta(days=OPPORTUNITY_DAYS)}
        )

    # The latest salary against the ones before it, in ONE pass over the window: a window
    # function numbers each customer's salaries newest first and carries their count and sum,
    # so no self-join (whose join on posted_at the planner walks per customer: every salary
    # paid at that instant, bank-wide).
    w = (
        select(
            t.id.label("id"),
            t.customer_id.label("customer_id"),
            t.amount.label("amount"),
            t.posted_at.label("posted_at"),
            func.row_number()
            .over(partition_by=t.customer_id, order_by=(t.posted_at.desc(), t.id.desc()))
            .label("rn"),
            func.count().over(partition_by=t.customer_id).label("payments"),
            func.sum(t.amount).over(partition_by=t.customer_id).label("total"),
        )
        .where(*window)
        .subquery()
    )
    others = w.c.payments - 1
    usual_total = w.c.total - w.c.amount
    key = literal("changed:") + cast(w.c.id, String)
    changed = select(w.c.id, w.c.customer_id, w.c.amount, w.c.posted_at, usual_total, others).where(
        w.c.rn == 1,
        w.c.posted_at > now - dt.timedelta(days=SALARY_GAP_DAYS),
        others >= SALARY_MIN_PAYMENTS,
        or_(
            w.c.amount * others >= usual_total * (1 + SALARY_CHANGE_SHARE),
            w.c.amount * others <= usual_total * (1 - SALARY_CHANGE_SHARE),
        ),
        ~_known(SALARY_CHANGE, key),
    )

    seen: set[int] = set()
    for tx_id, customer_id, amount, posted_at, total, payments in session.execute(changed):
        if customer_id in seen:  # two salaries at the same instant: one moment
            continue
        seen.add(customer_id)
        avg = to_money(to_money(total) / payments)
        amount, posted_at = to_money(amount), _as_datetime(posted_at)
        change = "rose" if amount > avg else "fell"
        percent = round(float((amount - avg) / avg * 100)) if avg > 0 else None
        advice = (
            "offer a savings or wealth product for the extra income."
            if change == "rose"
            else "check in and offer to cut the account's fees."
        )
        text = (
            f"Salary of {money_str(amount)} CNY on {posted_at:%Y-%m-%d} is "
            f"{abs(percent or 0)}% {'above' if change == 'rose' else 'below'} the "
            f"{payments} before it (average {money_str(avg)} CNY): {advice}"
        )
        figures = {
            "change": change,
            "amount": money_str(amount),
            "average_salary": money_str(avg),
            "percent": percent,
            "payments": int(payments),
            "salary_date": posted_at.date().isoformat(),
            "currency": "CNY",
        }
        category = "wealth" if change == "rose" else "account"
        rows.append(
            _row(
                customer_id,
                SALARY_CHANGE,
                category,
                text,
                figures,
                transaction_id=int(tx_id),
                source_key=f"changed:{int(tx_id)}",
            )
            | {"created_at": now, "expires_at": now + dt.timedelta(days=OPPORTUNITY_DAYS)}
        )
    return store(session, rows)


def scan_transfers_out(session: Session, now: dt.datetime) -> int:
    """Posted transfers to another bank of at least TRANSFER_MIN_AMOUNT and TRANSFER_MIN_SHARE
    of the balance just before them (balance_after + the amount moved)."""
    t = Transaction
    moved = -t.amount
    before = t.balance_after + moved
    already = exists().where(Opportunity.kind == TRANSFER_OUT, Opportunity.transaction_id == t.id)
    query = (
        select(t.id, t.customer_id, moved, before, t.posted_at, Account.currency)
        .join(Account, Account.id == t.account_id)
        .where(
            t.kind == "transfer_out",
            t.status == "posted",
            t.posted_at > now - dt.timedelta(days=TRANSFER_DAYS),
            t.posted_at <= now,
            t.balance_after.is_not(None),
            moved >= TRANSFER_MIN_AMOUNT,
            moved >= before * TRANSFER_MIN_SHARE,
            or_(*(func.lower(t.description).like(p) for p in OTHER_BANK_PATTERNS)),
            ~already,
        )
    )
    rows = []
    for tx_id, customer_id, amount, balance, posted_at, currency in session.execute(query):
        amount, balance, posted_at = to_money(amount), to_money(balance), _as_datetime(posted_at)
        share = round(float(amount / balance * 100)) if balance > 0 else 100
        text = (
            f"{money_str(amount)} {currency} ({share}% of the balance of {money_str(balance)} "
            f"{currency}) moved to an account at another bank on {posted_at:%Y-%m-%d}: a sign "
            "the customer may be leaving; call with a retention offer."
        )
        figures = {
            "amount": money_str(amount),
            "currency": currency,
            "balance_before": money_str(balance),
            "share_percent": share,
            "transfer_date": posted_at.date().isoformat(),
        }
        rows.append(
            _row(customer_id, TRANSFER_OUT, "deposit", text, figures, transaction_id=int(tx_id))
            | {"created_at": now, "expires_at": posted_at + dt.timedelta(days=OPPORTUNITY_DAYS)}
        )
    return store(session, rows)


def scan_cards_expiring(session: Session, now: dt.datetime, days: int = CARD_DAYS) -> int:
    """Active cards whose expiry date falls within `days` of the business date."""
    today = now.date()
    query = select(Card.id, Card.customer_id, Card.kind, Card.last4, Card.expires_on).where(
        Card.status == "active",
        Card.expires_on >= today,
        Card.expires_on <= today + dt.timedelta(days=days),
    )
    rows = []
    for card_id, customer_id, kind, last4, expires_on in session.execute(query):
        expires_on = _as_date(expires_on)
        left = (expires_on - today).days
        text = (
            f"The {kind} card ending {last4} expires on {expires_on:%Y-%m-%d} (in {left} days): "
            "remind the customer to activate the replacement card."
        )
        figures = {
            "card_kind": kind,
            "last4": last4,
            "expires_on": expires_on.isoformat(),
            "days_left": left,
        }
        rows.append(
            _row(
                customer_id,
                CARD_EXPIRING,
                "card_service",
                text,
                figures,
                source_key=f"card:{card_id}:{expires_on.isoformat()}",
            )
            | {
                "created_at": now,
                "expires_at": dt.datetime.combine(expires_on, dt.time(23, 59, 59)),
            }
        )
    return store(session, rows)


def _anniversaries(today: dt.date, days: int) -> list[int]:
    """Month*100+day of each date in the window (with 29 Feb when 28 Feb is in it and the year
    has none, so a deposit opened on a leap day still matures)."""
    out = set()
    for i in range(days + 1):
        d = today + dt.timedelta(days=i)
        out.add(d.month * 100 + d.day)
        if d.month == 2 and d.day == 28 and not _leap(d.year):
            out.add(229)
    return sorted(out)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _next_maturity(opened_on: dt.date, months: int, today: dt.date) -> dt.date:
    """The first end of a whole term on or after today (terms renew automatically)."""
    n = 1
    while True:
        total = opened_on.month - 1 + months * n
        year, month = opened_on.year + total // 12, total % 12 + 1
        day = min(opened_on.day, 28 if month == 2 and not _leap(year) else 31)
        while True:
            try:
                due = dt.date(year, month, day)
                break
            except ValueError:
                day -= 1
        if due >= today:
            return due
        n += 1


def scan_time_deposits_maturing(
    session: Session, now: dt.datetime, days: int = MATURITY_DAYS
) -> int:
    """Open time deposits whose term ends within `days`: the anniversary of `opened_on` for the
    yearly terms in TERM_MONTHS (a set-based filter on month and day), at least one whole term
    after opening."""
    today = now.date()
    a = Account
    yearly = {code: m for code, m in TERM_MONTHS.items() if m % 12 == 0}
    if not yearly:
        return 0
    month_day = cast(extract("month", a.opened_on) * 100 + extract("day", a.opened_on), Integer)
    query = select(a.id, a.customer_id, a.product_code, a.balance, a.currency, a.opened_on).where(
        a.kind == "time_deposit",
        a.status == "open",
        a.product_code.in_(list(yearly)),
        a.balance > 0,
        a.opened_on <= today + dt.timedelta(days=days) - dt.timedelta(days=365),
        month_day.in_(_anniversaries(today, days)),
    )
    rows = []
    for account_id, customer_id, product, balance, currency, opened_on in session.execute(query):
        opened_on, balance = _as_date(opened_on), to_money(balance)
        due = _next_maturity(opened_on, yearly[product], today)
        if (due - today).days > days:
            continue
        text = (
            f"Time deposit of {money_str(balance)} {currency} (opened {opened_on:%Y-%m-%d}, "
            f"{yearly[product]}-month term) matures on {due:%Y-%m-%d}, in {(due - today).days} "
            "days: offer to renew it or move it into a wealth product."
        )
        figures = {
            "amount": money_str(balance),
            "currency": currency,
            "opened_on": opened_on.isoformat(),
            "term_months": yearly[product],
            "maturity_date": due.isoformat(),
            "days_left": (due - today).days,
        }
        rows.append(
            _row(
                customer_id,
                TD_MATURING,
                "deposit",
                text,
                figures,
                source_key=f"td:{account_id}:{due.isoformat()}",
            )
            | {
                "created_at": now,
                "expires_at": dt.datetime.combine(due + dt.timedelta(days=7), dt.time(23, 59)),
            }
        )
    return store(session, rows)


def scan_all(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Every event kind, in one pass; returns new opportunities per kind and the time taken."""
    started = time.perf_counter()
    found = {
        LARGE_DEPOSIT: scan_deposit_events(session, now, days=OPPORTUNITY_DAYS).opportunities,
        SALARY_CHANGE: scan_salary_changes(session, now),
        TRANSFER_OUT: scan_transfers_out(session, now),
        CARD_EXPIRING: scan_cards_expiring(session, now),
        TD_MATURING: scan_time_deposits_maturing(session, now),
    }
    return {"found": found, "seconds": round(time.perf_counter() - started, 3)}


def _as_datetime(value: Any) -> dt.datetime:
    """SQLite hands aggregates (max of a DateTime) back as text."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _as_date(value: Any) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value
