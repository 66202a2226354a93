"""Per-customer aggregates, computed set-based in SQL (one pass per source table).

Everything downstream (segments, churn risk, offer eligibility and propensity) reads these
rows, so an offer decision never scans two years of transactions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import case, delete, func, select, true
from sqlalchemy.orm import Session

from crm.bulk import bulk_insert
from crm.clock import business_now
from crm.ledger import month_index
from crm.models import (
    Account,
    AccountMonth,
    ChurnSignal,
    Complaint,
    Customer,
    CustomerFeatures,
    Interaction,
    Product,
    Transaction,
)
from crm.money import to_money

DIGITAL_CHANNELS = ("app", "telegram", "chat", "web")
ASSISTED_CHANNELS = ("phone", "call")
DEPOSIT_KINDS = ("current", "savings", "time_deposit")
LOAN_KINDS = ("loan", "mortgage")
RISKY_LEVEL = 3  # wealth products at or above this risk level count as risky


def years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _in(column: Any, ids: Sequence[int] | None) -> Any:
    return column.in_(ids) if ids is not None else true()


def _money(value: Any) -> Decimal:
    return to_money(value or 0)


def compute_features(
    session: Session, customer_ids: Sequence[int] | None = None, as_of: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Feature rows for these customers (all when None) as of a moment."""
    now = as_of or business_now()
    t90, t180 = now - dt.timedelta(days=90), now - dt.timedelta(days=180)
    t360, t365 = now - dt.timedelta(days=360), now - dt.timedelta(days=365)
    rows: dict[int, dict[str, Any]] = {}
    for cid, birth, joined in session.execute(
        select(Customer.id, Customer.birth_date, Customer.joined_on).where(
            _in(Customer.id, customer_ids)
        )
    ):
        rows[cid] = _blank(
            cid, now, years_between(birth, now.date()), years_between(joined, now.date())
        )
    if not rows:
        return []

    tx = Transaction
    recent = tx.posted_at > t180

    def total(condition: Any, value: Any) -> Any:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    for r in session.execute(
        select(
            tx.customer_id,
            total((tx.kind == "salary") & recent, tx.amount),
            total((tx.kind == "salary") & recent, 1),
            total((tx.kind == "salary") & ~recent & (tx.posted_at > t360), 1),
            total((tx.kind == "card_spend") & recent, -tx.amount),
            total((tx.kind == "fee") & (tx.posted_at > t90), -tx.amount),
            total((tx.kind == "fee") & (tx.posted_at > t90), 1),
            total(tx.kind == "fee", -tx.amount),
        )
        .where(
            _in(tx.customer_id, customer_ids),
            tx.posted_at > t365,
            tx.posted_at <= now,
            tx.status == "posted",
            tx.kind.in_(("salary", "card_spend", "fee")),
        )
        .group_by(tx.customer_id)
    ):
        row = rows.get(r[0])
        if row is None:
            continue
        row["monthly_income"] = _money(Decimal(str(r[1])) / 6)
        row["salary_months_6m"] = int(r[2])
        row["salary_months_prev_6m"] = int(r[3])
        row["monthly_card_spend"] = _money(Decimal(str(r[4])) / 6)
        row["fees_90d"] = _money(r[5])
        row["fee_count_90d"] = int(r[6])
        row["fees_12m"] = _money(r[7])

    m = month_index(now.date())
    am = AccountMonth
    for cid, last3, prev3 in session.execute(
        select(
            am.customer_id,
            total(am.month >= m - 3, am.avg_balance),
            total(am.month < m - 3, am.avg_balance),
        )
        .join(Account, Account.id == am.account_id)
        .where(
            _in(am.customer_id, customer_ids),
            am.month >= m - 6,
            am.month < m,
            Account.kind == "current",
        )
        .group_by(am.customer_id)
    ):
        if cid in rows:
            rows[cid]["avg_balance_3m"] = _money(Decimal(str(last3)) / 3)
            rows[cid]["avg_balance_prev_3m"] = _money(Decimal(str(prev3)) / 3)

    kinds: dict[int, set[str]] = defaultdict(set)
    products: dict[int, set[str]] = defaultdict(set)
    for cid, kind, product, balance, dpd, risk in session.execute(
        select(
            Account.customer_id,
            Account.kind,
            Account.product_code,
            Account.balance,
            Account.days_past_due,
            Product.risk_level,
        )
        .join(Product, Product.code == Account.product_code)
        .where(_in(Account.customer_id, customer_ids), Account.status == "open")
    ):
        row = rows.get(cid)
        if row is None:
            continue
        kinds[cid].add(kind)
        products[cid].add(product)
        balance = _money(balance)
        if kind in DEPOSIT_KINDS:
            row["deposit_balance"] += balance
        elif kind == "wealth":
            row["wealth_balance"] += balance
            if (risk or 1) >= RISKY_LEVEL:
                row["risky_wealth_balance"] += balance
        elif kind in LOAN_KINDS:
            row["loan_balance"] += max(-balance, Decimal(0))
        elif kind == "credit_card":
            row["card_debt"] += max(-balance, Decimal(0))
        row["max_days_past_due"] = max(row["max_days_past_due"], dpd or 0)
    for cid, row in rows.items():
        row["holdings"] = sorted(kinds.get(cid, ()))
        row["products"] = sorted(products.get(cid, ()))

    channel_group = case(
        (Interaction.channel.in_(DIGITAL_CHANNELS), "digital"),
        (Interaction.channel == "branch", "branch"),
        else_="assisted",
    )
    for cid, group, count in session.execute(
        select(Interaction.customer_id, channel_group, func.count())
        .where(
            _in(Interaction.customer_id, customer_ids),
            Interaction.occurred_at > t365,
            Interaction.occurred_at <= now,  # as of a past moment: nothing later counts
        )
        .group_by(Interaction.customer_id, channel_group)
    ):
        if cid in rows:
            key = {"digital": "digital_interactions_12m", "branch": "branch_visits_12m"}
            rows[cid][key.get(group, "assisted_interactions_12m")] += int(count)

    for cid, count, fee_count in session.execute(
        select(Complaint.customer_id, func.count(), total(Complaint.category == "fees", 1))
        .where(
            _in(Complaint.customer_id, customer_ids),
            Complaint.created_at > t180,
            Complaint.created_at <= now,
        )
        .group_by(Complaint.customer_id)
    ):
        if cid in rows:
            rows[cid]["complaints_180d"] += int(count)
            rows[cid]["fee_complaints_180d"] += int(fee_count)

    sig = ChurnSignal
    for cid, wish, fee in session.execute(
        select(
            sig.customer_id,
            total((sig.signal == "wish_to_close") & (sig.created_at > t90), 1),
            total(sig.signal == "fee_complaint", 1),
        )
        .where(_in(sig.customer_id, customer_ids), sig.created_at > t180, sig.created_at <= now)
        .group_by(sig.customer_id)
    ):
        if cid in rows:
            rows[cid]["wish_to_close_90d"] += int(wish)
            rows[cid]["fee_complaints_180d"] += int(fee)
            rows[cid]["complaints_180d"] += int(fee)
    return list(rows.values())


def _blank(customer_id: int, now: dt.datetime, age: int, tenure: int) -> dict[str, Any]:
    zero = Decimal("0.00")
    return {
        "customer_id": customer_id,
        "as_of": now,
        "age": age,
        "tenure_years": max(tenure, 0),
        "monthly_income": zero,
        "monthly_card_spend": zero,
        "fees_90d": zero,
        "fee_count_90d": 0,
        "fees_12m": zero,
        "salary_months_6m": 0,
        "salary_months_prev_6m": 0,
        "avg_balance_3m": zero,
        "avg_balance_prev_3m": zero,
        "deposit_balance": zero,
        "wealth_balance": zero,
        "risky_wealth_balance": zero,
        "loan_balance": zero,
        "card_debt": zero,
        "holdings": [],
        "products": [],
        "max_days_past_due": 0,
        "digital_interactions_12m": 0,
        "assisted_interactions_12m": 0,
        "branch_visits_12m": 0,
        "complaints_180d": 0,
        "fee_complaints_180d": 0,
        "wish_to_close_90d": 0,
    }


FEATURE_COLUMNS = list(_blank(0, dt.datetime(2000, 1, 1), 0, 0))


def refresh_features(
    session: Session, customer_ids: Sequence[int] | None = None, as_of: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Recompute and store the feature rows; returns them."""
    rows = compute_features(session, customer_ids, as_of)
    session.execute(delete(CustomerFeatures).where(_in(CustomerFeatures.customer_id, customer_ids)))
    bulk_insert(
        session,
        CustomerFeatures.__table__,
        FEATURE_COLUMNS,
        ([row[c] for c in FEATURE_COLUMNS] for row in rows),
    )
    session.expire_all()
    return rows


def features_of(session: Session, customer_id: int) -> CustomerFeatures:
    """The stored features, computed on the spot for a customer not yet analysed."""
    row = session.get(CustomerFeatures, customer_id)
    if row is None:
        refresh_features(session, [customer_id])
        row = session.get(CustomerFeatures, customer_id)
    assert row is not None
    return row
