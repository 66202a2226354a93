"""Two years of transactions for a chunk of customers, fully vectorised with numpy.

Everything is built as parallel arrays (customer, account role, day, second, cents, kind,
description, status), then sorted per account so running balances and each month's average
daily balance come from cumulative sums, exactly as `crm.ledger` defines them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from crm.synthetic.people import EMPLOYERS, GIVEN, SURNAMES
from crm.synthetic.population import (
    CARD_TX_PER_MONTH,
    MASS,
    RENT_SHARE,
    SENIOR,
    SPEND_SHARE,
    STRUGGLING,
    Population,
)

HISTORY_DAYS = 730  # day 0 .. 729 carry transactions; day 730 is the as-of date
KINDS = (
    "salary",
    "card_spend",
    "transfer_out",
    "transfer_in",
    "deposit",
    "fee",
    "cash_withdrawal",
    "loan_repayment",
    "card_repayment",
)
K = {k: i for i, k in enumerate(KINDS)}
MERCHANTS = (
    "Card payment - Hema Supermarket",
    "Card payment - Meituan",
    "Card payment - JD.com",
    "Card payment - Starbucks",
    "Card payment - Sinopec",
    "Card payment - Didi",
    "Card payment - Uniqlo",
    "Card payment - Wanda Cinema",
    "Card payment - China Railway",
    "Card payment - Haidilao",
    "Card payment - Pharmacy",
    "Card payment - Taobao",
)
FEES = (
    "Cross-bank transfer fee",
    "Overdraft fee",
    "SMS alert service fee",
    "ATM withdrawal fee (other bank)",
)
PEOPLE = tuple(f"Transfer to {g} {s}" for g, s in zip(GIVEN[:12], SURNAMES[:12], strict=True))
SENDERS = tuple(
    f"Transfer from {g} {s}" for g, s in zip(GIVEN[12:24], SURNAMES[12:24], strict=True)
)
DESCRIPTIONS: tuple[str, ...] = (
    *(f"Salary - {e}" for e in EMPLOYERS),
    "Pension",
    *MERCHANTS,
    *FEES,
    *PEOPLE,
    *SENDERS,
    "Rent",
    "Utilities - electricity and water",
    "Mobile phone top-up",
    "Transfer to savings",
    "Cash deposit",
    "ATM cash withdrawal",
    "Account management fee",
    "Credit card annual fee",
    "Personal loan repayment",
    "Mortgage repayment",
    "Credit card repayment",
    "Repayment received",
    "Transfer to account at another bank",
    "Transfer from property sale proceeds",
    "Bonus deposit",
)
D = {d: i for i, d in enumerate(DESCRIPTIONS)}
SALARY0, MERCHANT0, FEE0 = D[f"Salary - {EMPLOYERS[0]}"], D[MERCHANTS[0]], D[FEES[0]]
PEOPLE0, SENDERS0 = D[PEOPLE[0]], D[SENDERS[0]]


@dataclass
class Calendar:
    as_of: dt.date
    base: dt.date = field(init=False)
    dom: np.ndarray = field(init=False)  # day of month per day index
    month: np.ndarray = field(init=False)  # global month index per day index

    def __post_init__(self) -> None:
        self.base = self.as_of - dt.timedelta(days=HISTORY_DAYS)
        dates = [self.base + dt.timedelta(days=i) for i in range(HISTORY_DAYS + 1)]
        self.dom = np.array([d.day for d in dates])
        self.month = np.array([d.year * 12 + d.month - 1 for d in dates])

    def days_on(self, day_of_month: int) -> np.ndarray:
        """History days falling on this day of the month (one per month)."""
        return np.flatnonzero((self.dom == day_of_month)[:HISTORY_DAYS])


@dataclass
class Flows:
    """Parallel arrays, one entry per transaction."""

    cust: list[np.ndarray] = field(default_factory=list)
    card: list[np.ndarray] = field(default_factory=list)  # True: on the credit-card account
    day: list[np.ndarray] = field(default_factory=list)
    sec: list[np.ndarray] = field(default_factory=list)
    cents: list[np.ndarray] = field(default_factory=list)
    kind: list[np.ndarray] = field(default_factory=list)
    desc: list[np.ndarray] = field(default_factory=list)
    pending: list[np.ndarray] = field(default_factory=list)

    def add(self, rng, cust, day, amount, kind, desc, card=None, pending=False, sec=None) -> None:
        cust = np.asarray(cust, dtype=np.int64)
        n = len(cust)
        if n == 0:
            return
        self.cust.append(cust)
        self.card.append(np.zeros(n, bool) if card is None else np.broadcast_to(card, n).copy())
        self.day.append(np.asarray(day, dtype=np.int64))
        self.sec.append(
            rng.integers(8 * 3600, 22 * 3600, n)
            if sec is None
            else np.broadcast_to(sec, n).astype(np.int64)
        )
        self.cents.append(np.round(np.asarray(amount, dtype=float) * 100).astype(np.int64))
        self.kind.append(np.full(n, K[kind], dtype=np.int64))
        self.desc.append(np.broadcast_to(np.asarray(desc, dtype=np.int64), n).copy())
        self.pending.append(np.full(n, pending, dtype=bool))

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("cust", "card", "day", "sec", "cents", "kind", "desc", "pending")
        return {k: np.concatenate(getattr(self, k)) for k in names}


def _monthly(cal: Calendar, cust: np.ndarray, first_day: np.ndarray, dom: int):
    """(customer, day) for each month's `dom` on or after each customer's first day."""
    days = cal.days_on(dom)
    c = np.repeat(cust, len(days))
    d = np.tile(days, len(cust))
    keep = d >= first_day[c]
    return c[keep], d[keep]


def _random_days(rng, cal, cust, first_day, per_month):
    """Poisson-many uniform days per customer between their first day and the end."""
    span = HISTORY_DAYS - first_day[cust]
    counts = rng.poisson(per_month * span / 30.4)
    c = np.repeat(cust, counts)
    d = first_day[c] + (rng.random(len(c)) * span[np.repeat(np.arange(len(cust)), counts)]).astype(
        np.int64
    )
    return c, d


def chunk_flows(rng: np.random.Generator, cal: Calendar, pop: Population, lo: int, hi: int):
    """All transactions of customers lo..hi-1 (global indices) except the event deposits."""
    f = Flows()
    local = np.arange(hi - lo)
    g = local + lo  # global index per local customer
    persona = pop.persona[g]
    income = pop.income[g]
    first = np.maximum(0, HISTORY_DAYS - pop.tenure_days[g]).astype(np.int64)
    has_card = pop.credit_card[g] > 0
    end = HISTORY_DAYS

    # Salary on the 25th (pension for senior savers); stops 4 months ago for some churners.
    c, d = _monthly(cal, local, first, 25)
    keep = ~(pop.salary_moved[g][c] & (d >= end - 120))
    c, d = c[keep], d[keep]
    desc = np.where(persona[c] == SENIOR, D["Pension"], SALARY0 + pop.employer[g][c])
    f.add(rng, c, d, income[c] * rng.uniform(0.97, 1.03, len(c)), "salary", desc, sec=2 * 3600)

    # Card spend: on the credit card when there is one, else the debit card.
    per_month = np.asarray(CARD_TX_PER_MONTH, float)[persona]
    spend = income * np.asarray(SPEND_SHARE)[persona]
    c, d = _random_days(rng, cal, local, first, per_month)
    size = np.round(spend[c] / per_month[c] * rng.lognormal(0, 0.6, len(c)) / np.exp(0.18), 2)
    on_card = has_card[c] & (rng.random(len(c)) < 0.8)
    f.add(
        rng,
        c,
        d,
        -size,
        "card_spend",
        MERCHANT0 + rng.integers(0, len(MERCHANTS), len(c)),
        card=on_card,
    )

    # Credit-card repayment on the 5th: last month's card spend (struggling: 30% of it).
    months = cal.month[d[on_card]] - cal.month[0]
    n_months = int(cal.month[-1] - cal.month[0]) + 1
    owed = np.zeros((len(local), n_months))
    np.add.at(owed, (c[on_card], months), size[on_card])
    c5, d5 = _monthly(cal, local[has_card], first, 5)
    prev = cal.month[d5] - cal.month[0] - 1
    ok = prev >= 0
    c5, d5, prev = c5[ok], d5[ok], prev[ok]
    pay = owed[c5, prev] * np.where(persona[c5] == STRUGGLING, 0.3, 1.0)
    ok = pay > 0
    f.add(
        rng,
        c5[ok],
        d5[ok],
        -np.round(pay[ok], 2),
        "transfer_out",
        D["Credit card repayment"],
        sec=9 * 3600,
    )
    f.add(
        rng,
        c5[ok],
        d5[ok],
        np.round(pay[ok], 2),
        "card_repayment",
        D["Repayment received"],
        card=True,
        sec=9 * 3600,
    )

    # Rent on the 3rd, utilities mid-month, loan and mortgage repayments on the 8th.
    rent = income * np.asarray(RENT_SHARE)[persona]
    c, d = _monthly(cal, local[rent > 0], first, 3)
    f.add(rng, c, d, -np.round(rent[c], 2), "transfer_out", D["Rent"])
    c, d = _monthly(cal, local, first, 14)
    f.add(
        rng,
        c,
        d,
        -np.round(income[c] * rng.uniform(0.02, 0.04, len(c)), 2),
        "transfer_out",
        D["Utilities - electricity and water"],
    )
    for owed_amount, share, label in (
        (pop.loan[g], 0.1, "Personal loan repayment"),
        (pop.mortgage[g], 0.25, "Mortgage repayment"),
    ):
        c, d = _monthly(cal, local[owed_amount > 0], first, 8)
        f.add(rng, c, d, -np.round(income[c] * share, 2), "loan_repayment", D[label])

    # Cash, transfers to family and friends, occasional money in.
    c, d = _random_days(rng, cal, local, first, 1.0)
    f.add(
        rng,
        c,
        d,
        -np.round(income[c] * rng.uniform(0.02, 0.06, len(c)), -2),
        "cash_withdrawal",
        D["ATM cash withdrawal"],
    )
    c, d = _random_days(rng, cal, local, first, 1.0)
    f.add(
        rng,
        c,
        d,
        -np.round(income[c] * rng.uniform(0.02, 0.08, len(c)), 2),
        "transfer_out",
        PEOPLE0 + rng.integers(0, len(PEOPLE), len(c)),
    )
    c, d = _random_days(rng, cal, local, first, 0.3)
    kind_in = rng.random(len(c)) < 0.5
    amount = np.round(income[c] * rng.uniform(0.05, 0.4, len(c)), 2)
    f.add(rng, c[kind_in], d[kind_in], amount[kind_in], "deposit", D["Cash deposit"])
    f.add(
        rng,
        c[~kind_in],
        d[~kind_in],
        amount[~kind_in],
        "transfer_in",
        SENDERS0 + rng.integers(0, len(SENDERS), int((~kind_in).sum())),
    )

    # What is left of the salary goes to savings, so balances stay realistic over two years.
    outflow_share = np.asarray(SPEND_SHARE)[persona] + np.asarray(RENT_SHARE)[persona] + 0.11
    outflow_share += np.where(pop.loan[g] > 0, 0.1, 0) + np.where(pop.mortgage[g] > 0, 0.25, 0)
    surplus = income * (1 - outflow_share) * 0.9
    c, d = _monthly(cal, local[surplus > 100], first, 26)
    c_moved = pop.salary_moved[g][c] & (d >= end - 120)
    f.add(
        rng,
        c[~c_moved],
        d[~c_moved],
        -np.round(surplus[c[~c_moved]], -2),
        "transfer_out",
        D["Transfer to savings"],
        sec=10 * 3600,
    )

    # Fees: monthly account fee, yearly card fee, struggling customers' overdraft fees.
    c, d = _monthly(cal, local[pop.fee_plan[g]], first, 1)
    f.add(rng, c, d, np.full(len(c), -10.0), "fee", D["Account management fee"], sec=3 * 3600)
    pays_card_fee = has_card & np.isin(persona, (MASS, STRUGGLING))  # others have it waived
    c, d = _monthly(cal, local[pays_card_fee], first, 12)
    yearly = cal.month[d] % 12 == cal.month[first[c]] % 12
    fee = np.where(pop.credit_card[g][c[yearly]] == 2, -600.0, -200.0)
    f.add(rng, c[yearly], d[yearly], fee, "fee", D["Credit card annual fee"], card=True)
    c, d = _random_days(rng, cal, local[persona == STRUGGLING], first, 0.4)
    f.add(rng, c, d, np.full(len(c), -30.0), "fee", D["Overdraft fee"])

    # Churners: a burst of fees, money moved to another bank, in the last months.
    heavy = local[pop.fee_heavy[g]]
    counts = rng.integers(3, 7, len(heavy))
    c = np.repeat(heavy, counts)
    d = end - 1 - rng.integers(0, 85, len(c))
    f.add(
        rng,
        c,
        d,
        -np.round(rng.uniform(20, 80, len(c)), 0),
        "fee",
        FEE0 + rng.integers(0, len(FEES), len(c)),
    )
    movers = local[pop.falling[g]]
    c = np.repeat(movers, 2)
    d = end - 1 - rng.integers(5, 95, len(c))
    f.add(
        rng,
        c,
        d,
        -np.round(pop.current[g][c] * 0.35, -2),
        "transfer_out",
        D["Transfer to account at another bank"],
    )

    # Transfers still pending (no effect on the balance yet).
    who = local[rng.random(len(local)) < 0.35]
    d = np.full(len(who), end - 1) - rng.integers(0, 2, len(who))
    f.add(
        rng,
        who,
        d,
        -np.round(income[who] * rng.uniform(0.02, 0.1, len(who)), 2),
        "transfer_out",
        PEOPLE0 + rng.integers(0, len(PEOPLE), len(who)),
        pending=True,
    )
    return f, first
