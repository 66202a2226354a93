"""Builds the synthetic bank chunk by chunk (5,000 customers at a time) and writes it.

Deterministic: the same seed, size and as-of date give the same bank on either backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from sqlalchemy.orm import Session

from crm.catalogue import OFFERS
from crm.synthetic import people
from crm.synthetic.consents import write_consents
from crm.synthetic.ledger import DESCRIPTIONS, HISTORY_DAYS, KINDS, Calendar, chunk_flows
from crm.synthetic.load import Batch, Writer, postgres_bulk_mode
from crm.synthetic.population import (
    AGGRESSIVE,
    BALANCED,
    BRANCH,
    CONSERVATIVE,
    DIGITAL,
    PHONE,
    STRUGGLING,
    Population,
    draw,
    make_demo_customers,
)

CHUNK = 5_000
CARD_STATUS = (
    ("active", 0.86),
    ("frozen", 0.05),
    ("blocked", 0.04),
    ("ordered", 0.03),
    ("expired", 0.02),
)
COMPLAINT_TEXT = {
    "fees": "Charged fees I was never told about.",
    "service": "Waited a long time and the problem is still not solved.",
    "cards": "My card was declined although I had enough money.",
    "digital": "The app logged me out during a transfer.",
    "payments": "A transfer took four days to arrive.",
}
SLA_DAYS = {"fees": 7, "service": 14, "cards": 5, "digital": 7, "payments": 7}
LEAN_FULL_DAYS = 200  # lean history: every posting of the features' 180-day window, and more
LEAN_KINDS = [KINDS.index("salary"), KINDS.index("fee")]  # the older postings features read
INTERACTION_KINDS = (
    "balance_enquiry",
    "card_question",
    "transfer_help",
    "product_enquiry",
    "address_change",
    "statement_request",
)


@dataclass
class Counters:
    account: int = 0
    card: int = 0
    transaction: int = 0
    interaction: int = 0
    complaint: int = 0
    presentation: int = 0
    identity: int = 0
    signal: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def take(self, name: str, n: int) -> np.ndarray:
        start = getattr(self, name) + 1
        setattr(self, name, start + n - 1)
        return np.arange(start, start + n, dtype=np.int64)

    def count(self, table: str, n: int) -> None:
        self.totals[table] = self.totals.get(table, 0) + n


def generate(
    session: Session,
    customers: int,
    seed: int,
    as_of: dt.date,
    progress: Callable[[str], None] | None = None,
    lean: bool = False,
) -> Counters:
    """Write `customers` customers with their history into an empty, migrated database.

    Chunk k+1 is built (numpy, formatting) in a worker thread while chunk k streams into the
    database, so Python and the database server each keep a core busy. `lean` (scale benches)
    writes a third of the transactions: see `_write_transactions`.
    """
    pop = draw(customers, seed, as_of)
    make_demo_customers(pop, as_of)
    cal = Calendar(as_of)
    writer = Writer(session)
    counters = Counters()
    starts = list(range(0, customers, CHUNK))

    def build(chunk: int) -> Batch:
        lo = starts[chunk]
        rng = np.random.default_rng([seed, 1, chunk])
        hi = min(customers, lo + CHUNK)
        batch = _chunk(Batch(writer.postgres), rng, cal, pop, lo, hi, counters, lean)
        consent_rng = np.random.default_rng([seed, 2, chunk])  # its own stream: the rest stays
        now = dt.datetime.combine(as_of, dt.time())
        counters.count("marketing_consents", write_consents(batch, consent_rng, pop, lo, hi, now))
        return batch

    with ExitStack() as stack:
        if writer.postgres:
            stack.enter_context(postgres_bulk_mode(session))
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(build, 0)
            for chunk in range(len(starts)):
                batch = pending.result()
                if chunk + 1 < len(starts):
                    pending = pool.submit(build, chunk + 1)
                writer.write(batch)
                if progress:
                    done = min(customers, starts[chunk] + CHUNK)
                    progress(f"{done:,} of {customers:,} customers written")
        if progress and writer.postgres:
            progress("rebuilding indexes and foreign keys")
    return counters


def _chunk(
    batch: Batch, rng, cal: Calendar, pop: Population, lo: int, hi: int, n: Counters, lean=False
):
    ids = np.arange(lo, hi) + 1
    as_of = cal.as_of
    now = dt.datetime.combine(as_of, dt.time())
    customers = []
    for i, cid in zip(range(lo, hi), ids.tolist(), strict=True):
        city, region = people.CITIES[pop.city[i]]
        customers.append(
            (
                cid,
                f"C{cid:06d}",
                None,
                f"1{3 + cid % 7}{cid:09d}",
                people.id_number(region, pop.birth[i], cid),
                pop.birth[i],
                city,
                pop.joined[i],
                # most of a mainland bank's customers prefer Chinese; derived from the id, so
                # the random stream (and every other generated fact) is unchanged
                "en" if cid % 7 == 0 else "zh",
            )
        )
    customers = [
        (r[0], r[1], name, *r[3:])
        for r, name in zip(customers, people.names(rng, len(customers)), strict=True)
    ]
    batch.rows(
        "customers",
        [
            "id",
            "customer_no",
            "full_name",
            "phone",
            "id_number",
            "birth_date",
            "city",
            "joined_on",
            "language",
        ],
        customers,
    )
    n.count("customers", len(customers))

    flows, first = chunk_flows(rng, cal, pop, lo, hi)
    local = np.arange(hi - lo)
    g = local + lo
    current_id = n.take("account", len(local))
    has_card = pop.credit_card[g] > 0
    card_id = np.full(len(local), -1, dtype=np.int64)
    card_id[has_card] = n.take("account", int(has_card.sum()))

    # Running balances: sort by (account, time); opening balance lifted if it would go negative.
    f = flows.arrays()
    acct = np.where(f["card"], card_id[f["cust"]], current_id[f["cust"]])
    order = np.lexsort((f["sec"], f["day"], acct))
    for key in f:
        f[key] = f[key][order]
    acct = acct[order]
    f, acct = _with_events(rng, cal, pop, lo, f, acct, current_id, first)
    tx_ids = n.take("transaction", len(acct))
    posted_cents = np.where(f["pending"], 0, f["cents"])
    starts = np.flatnonzero(np.r_[True, acct[1:] != acct[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(acct)]))
    running = np.cumsum(posted_cents)
    running -= (running[starts] - posted_cents[starts])[group]
    lowest = np.minimum.reduceat(running, starts) if len(starts) else np.zeros(0, np.int64)
    accounts_with_tx = acct[starts]
    opening = {a: 0 for a in accounts_with_tx.tolist()}
    cur_open = np.round(pop.current[g] * 100).astype(np.int64)
    is_current = np.isin(accounts_with_tx, current_id)
    pos = np.searchsorted(current_id, accounts_with_tx[is_current])
    lift = np.maximum(cur_open[pos], 10_000 - lowest[is_current])  # keep >= 100.00 CNY
    for a, o in zip(accounts_with_tx[is_current].tolist(), lift.tolist(), strict=True):
        opening[a] = o
    open_arr = np.array([opening[a] for a in accounts_with_tx.tolist()], dtype=np.int64)
    balance_after = running + open_arr[group]
    closing = {
        a: int(o + t)
        for a, o, t in zip(
            accounts_with_tx.tolist(),
            open_arr.tolist(),
            np.add.reduceat(posted_cents, starts).tolist() if len(starts) else [],
            strict=True,
        )
    }

    chunk = Chunk(batch, rng, cal, pop, lo, hi, n)
    _write_accounts(chunk, AccountIds(ids, current_id, card_id, closing, first))
    _write_transactions(batch, cal, f, acct, tx_ids, balance_after, lo, n, lean)
    _write_months(batch, cal, f, acct, starts, open_arr, lo, n)
    _write_contacts(batch, rng, pop, lo, hi, now, n)
    _write_presentations(batch, rng, pop, lo, hi, now, n)
    return batch


def _with_events(rng, cal, pop, lo, f, acct, current_id, first):
    """Event customers get one deposit, 2-5x their previous 6-month average, in the last weeks."""
    local = np.flatnonzero(pop.event[lo : lo + len(current_id)])
    if len(local) == 0:
        return f, acct
    days = HISTORY_DAYS - rng.integers(2, 20, len(local))
    amounts = []
    for c, day in zip(local.tolist(), days.tolist(), strict=True):
        lo_i, hi_i = (
            np.searchsorted(acct, current_id[c]),
            np.searchsorted(acct, current_id[c], "right"),
        )
        mine = np.arange(lo_i, hi_i)[~f["pending"][lo_i:hi_i]]
        month = cal.month[day]
        window = (cal.month >= month - 6) & (cal.month < month)
        flows = np.zeros(HISTORY_DAYS + 1)
        np.add.at(flows, f["day"][mine], f["cents"][mine] / 100)
        eod = np.cumsum(flows) + pop.current[lo + c]
        avg = float(eod[window & (np.arange(len(eod)) >= first[c])].mean()) if window.any() else 0
        amounts.append(max(30000.0, round(max(avg, 0) * rng.uniform(2.5, 5), -3)))
    is_sale = rng.random(len(local)) < 0.5
    extra = {
        "cust": local.astype(np.int64),
        "card": np.zeros(len(local), bool),
        "day": days.astype(np.int64),
        "sec": rng.integers(9 * 3600, 17 * 3600, len(local)),
        "cents": (np.array(amounts) * 100).astype(np.int64),
        "kind": np.where(is_sale, KINDS.index("transfer_in"), KINDS.index("deposit")),
        "desc": np.where(
            is_sale,
            DESCRIPTIONS.index("Transfer from property sale proceeds"),
            DESCRIPTIONS.index("Bonus deposit"),
        ),
        "pending": np.zeros(len(local), bool),
    }
    merged = {k: np.concatenate([f[k], extra[k]]) for k in f}
    acct = np.concatenate([acct, current_id[local]])
    order = np.lexsort((merged["sec"], merged["day"], acct))
    return {k: v[order] for k, v in merged.items()}, acct[order]


class AccountRow(NamedTuple):
    """One row of `accounts` as the loader writes it (columns in this order)."""

    id: int
    customer_id: int
    product_code: str
    kind: str
    number: str
    balance: float
    opened_on: dt.date
    credit_limit: float | None = None
    days_past_due: int = 0
    currency: str = "CNY"
    status: str = "open"


class CardRow(NamedTuple):
    id: int
    customer_id: int
    account_id: int
    kind: str
    last4: str
    status: str
    expires_on: dt.date
    updated_at: dt.datetime


@dataclass
class Chunk:
    """What every writer of one chunk of customers shares."""

    batch: Batch
    rng: np.random.Generator
    cal: Calendar
    pop: Population
    lo: int
    hi: int
    n: Counters

    @property
    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.cal.as_of, dt.time())


@dataclass
class AccountIds:
    """The chunk's current and credit-card account ids (by customer), with the balances
    their transactions closed on and the day each customer's history starts."""

    ids: np.ndarray
    current: np.ndarray
    credit: np.ndarray  # -1: no credit card
    closing: dict[int, int]  # account id -> closing balance in cents
    first: np.ndarray


def account_number(account_id: int) -> str:
    return f"6222{account_id:012d}"


def _write_accounts(chunk: Chunk, acc: AccountIds) -> None:
    rng, pop, n, as_of = chunk.rng, chunk.pop, chunk.n, chunk.cal.as_of
    accounts: list[AccountRow] = []
    cards: list[CardRow] = []

    def opened(i: int) -> dt.date:
        span = max(1, (as_of - pop.joined[i]).days - 60)
        return pop.joined[i] + dt.timedelta(days=int(rng.integers(0, span)))

    def expiry(status: str) -> dt.date:
        if status == "expired":
            return as_of - dt.timedelta(days=int(rng.integers(1, 300)))
        return as_of + dt.timedelta(days=int(rng.integers(60, 1800)))

    def new_card(cid: int, account: int, kind: str, status: str, used: set[str]) -> None:
        last4 = f"{int(rng.integers(0, 10000)):04d}"
        while last4 in used:
            last4 = f"{int(rng.integers(0, 10000)):04d}"
        used.add(last4)
        card = int(n.take("card", 1)[0])
        cards.append(CardRow(card, cid, account, kind, last4, status, expiry(status), chunk.now))

    def held(aid: int, cid: int, product: str, kind: str, balance: float, **more) -> AccountRow:
        return AccountRow(aid, cid, product, kind, account_number(aid), balance, **more)

    statuses = [s for s, _ in CARD_STATUS]
    weights = [w for _, w in CARD_STATUS]
    for c, i in enumerate(range(chunk.lo, chunk.hi)):
        cid, cur, credit = int(acc.ids[c]), int(acc.current[c]), int(acc.credit[c])
        base_day = chunk.cal.base + dt.timedelta(days=int(acc.first[c]))
        balance = acc.closing.get(cur, int(pop.current[i] * 100)) / 100
        accounts.append(held(cur, cid, "CUR", "current", balance,
                             opened_on=min(pop.joined[i], base_day)))  # fmt: skip
        dpd = int(pop.days_past_due[i])
        if credit > 0:
            limit = pop.income[i] * (6 if pop.credit_card[i] == 2 else 3)
            product = "CC_PLAT" if pop.credit_card[i] == 2 else "CC_STD"
            accounts.append(
                held(credit, cid, product, "credit_card", acc.closing.get(credit, 0) / 100,
                     opened_on=opened(i), credit_limit=round(float(limit), 2),
                     days_past_due=dpd if pop.loan[i] == 0 else 0)
            )  # fmt: skip
        static = (
            ("SAV", "savings", pop.savings[i], 0),
            ("TD12", "time_deposit", pop.time_deposit[i], 0),
            ("LOAN_PERS", "loan", -pop.loan[i], dpd),
            ("MORTGAGE", "mortgage", -pop.mortgage[i], 0),
            ("WM_MMF", "wealth", pop.mmf[i], 0),
            ("WM_BAL", "wealth", pop.balanced_fund[i], 0),
            ("WM_EQ", "wealth", pop.equity_fund[i], 0),
        )
        for product, kind, amount, past_due in static:
            if amount != 0:
                aid = int(n.take("account", 1)[0])
                accounts.append(held(aid, cid, product, kind, round(float(amount), 2),
                                     opened_on=opened(i), days_past_due=int(past_due)))  # fmt: skip
        if pop.insurance[i]:
            aid = int(n.take("account", 1)[0])
            product = "INS_LIFE" if pop.insurance[i] == 1 else "INS_HEALTH"
            accounts.append(held(aid, cid, product, "insurance", 0.0, opened_on=opened(i)))
        used: set[str] = set()
        status = "active" if cid <= 5 else str(rng.choice(statuses, p=weights))
        new_card(cid, cur, "debit", status, used)
        if rng.random() < 0.25 or cid in (3, 4):
            new_card(cid, cur, "debit", "active", used)
        if credit > 0:
            new_card(cid, credit, "credit", "active" if rng.random() < 0.95 else "frozen", used)
    chunk.batch.rows("accounts", list(AccountRow._fields), accounts)
    chunk.batch.rows("cards", list(CardRow._fields), cards)
    n.count("accounts", len(accounts))
    n.count("cards", len(cards))


def _write_transactions(batch: Batch, cal, f, acct, tx_ids, balance_after, lo, n, lean) -> None:
    """`lean` keeps the last LEAN_FULL_DAYS in full and, before that, only the salary and fee
    postings the features read (their longest window is 365 days): features, segments, churn,
    balances, monthly averages and recent events stay exactly as in the full history."""
    if lean:
        keep = (f["day"] >= HISTORY_DAYS - LEAN_FULL_DAYS) | np.isin(f["kind"], LEAN_KINDS)
        f = {k: v[keep] for k, v in f.items()}
        acct, tx_ids, balance_after = acct[keep], tx_ids[keep], balance_after[keep]
    base = np.datetime64(cal.base, "s")
    posted_at = base + (f["day"] * 86400 + f["sec"]).astype("timedelta64[s]")
    kinds, descs = list(KINDS), list(DESCRIPTIONS)
    columns = ["id", "account_id", "customer_id", "posted_at", "amount", "kind", "description",
               "status", "balance_after"]  # fmt: skip
    batch.columns("transactions", columns, [
        batch.ints(tx_ids),
        batch.ints(acct),
        batch.ints(f["cust"] + lo + 1),
        batch.stamps(posted_at),
        batch.money(f["cents"] / 100),
        [kinds[k] for k in f["kind"].tolist()],
        [descs[d] for d in f["desc"].tolist()],
        ["pending" if p else "posted" for p in f["pending"].tolist()],
        batch.money(balance_after / 100, null=f["pending"]),
    ])  # fmt: skip
    n.count("transactions", len(tx_ids))


def _write_months(batch: Batch, cal, f, acct, starts, open_arr, lo, n) -> None:
    """Average daily balance per account and month, from the first posting to the as-of day."""
    if len(starts) == 0:
        return
    width = HISTORY_DAYS + 1
    accounts = acct[starts]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(acct)]))
    posted = ~f["pending"]
    flows = np.bincount(
        group[posted] * width + f["day"][posted],
        weights=f["cents"][posted],
        minlength=len(starts) * width,
    )
    eod = open_arr[:, None] + np.cumsum(flows.reshape(len(starts), width), axis=1)
    first_day = np.full(len(starts), width)
    np.minimum.at(first_day, group[posted], f["day"][posted])
    valid = np.arange(width)[None, :] >= first_day[:, None]
    customer = np.zeros(len(starts), dtype=np.int64)
    customer[group] = f["cust"] + lo + 1
    month_of_day = cal.month
    edges = np.flatnonzero(np.r_[True, month_of_day[1:] != month_of_day[:-1]])
    sums = np.add.reduceat(np.where(valid, eod, 0), edges, axis=1)
    days = np.add.reduceat(valid.astype(np.int64), edges, axis=1)
    last = np.r_[edges[1:], width] - 1
    a_i, m_i = np.nonzero(days)
    count = days[a_i, m_i]
    columns = ["account_id", "month", "customer_id", "avg_balance", "end_balance", "days"]
    batch.columns("account_months", columns, [
        batch.ints(accounts[a_i]),
        batch.ints(month_of_day[edges][m_i]),
        batch.ints(customer[a_i]),
        batch.money(np.floor(sums[a_i, m_i] / count + 0.5) / 100),
        batch.money(eod[a_i, last[m_i]] / 100),
        batch.ints(count),
    ])  # fmt: skip
    rows = a_i
    n.count("account_months", len(rows))


def _write_contacts(batch, rng, pop, lo, hi, now, n) -> None:
    """Channel identities, a year of contacts, complaints and stated wishes to close."""
    identities, complaints, signals = [], [], []
    for i in range(lo, hi):
        cid = i + 1
        phone = f"1{3 + cid % 7}{cid:09d}"
        identities.append((int(n.take("identity", 1)[0]), cid, "phone", phone, True, now))
        identities.append((int(n.take("identity", 1)[0]), cid, "app", f"u{cid:07d}", True, now))
        if pop.telegram[i] and cid > 10:
            identities.append(
                (
                    int(n.take("identity", 1)[0]),
                    cid,
                    "telegram",
                    str(5_000_000_000 + cid),
                    True,
                    now,
                )
            )
        if pop.complains[i]:
            for _ in range(int(rng.integers(1, 3))):
                category = (
                    "fees"
                    if rng.random() < 0.6 or cid == 2
                    else str(rng.choice(["service", "cards", "digital", "payments"]))
                )
                complaints.append(
                    _complaint(n, rng, cid, category, now, rng.uniform(3, 120), "app")
                )
        elif rng.random() < 0.05:
            category = str(rng.choice(list(COMPLAINT_TEXT)))
            complaints.append(
                _complaint(n, rng, cid, category, now, rng.uniform(200, 700), "phone")
            )
        if pop.wants_to_close[i]:
            when = now - dt.timedelta(days=float(rng.uniform(1, 60)))
            signals.append((int(n.take("signal", 1)[0]), cid, "wish_to_close", "app", None, when))

    # A year (and a month) of contacts, vectorised: digital, phone and branch per persona.
    g = np.arange(lo, hi)
    persona = pop.persona[g]
    parts = []
    for group, rate in (("digital", DIGITAL), ("phone", PHONE), ("branch", BRANCH)):
        lam = np.asarray(rate, float)[persona] * 13 / 12
        if group == "branch":
            lam = np.where(g == 4, lam * 3, lam)  # customer 5 visits the branch a lot
        counts = rng.poisson(lam)
        who = np.repeat(g, counts)
        channel = np.full(len(who), group, dtype=object)
        if group == "digital":
            tg = pop.telegram[who] & (rng.random(len(who)) < 0.3)
            channel = np.where(tg, "telegram", "app")
        parts.append((who, channel))
    who = np.concatenate([w for w, _ in parts])
    channel = np.concatenate([c for _, c in parts])
    kind = np.asarray(INTERACTION_KINDS)[rng.integers(0, len(INTERACTION_KINDS), len(who))]
    seconds = rng.uniform(0.5, 395, len(who)) * 86400
    ids = n.take("interaction", len(who))
    when = np.datetime64(now, "s") - seconds.astype("timedelta64[s]")
    summaries = {k: k.replace("_", " ").capitalize() for k in INTERACTION_KINDS}
    kinds = kind.tolist()
    batch.columns(
        "interactions",
        ["id", "customer_id", "channel", "kind", "summary", "conversation_id", "occurred_at"],
        [batch.ints(ids), batch.ints(who + 1), channel.tolist(), kinds,
         [summaries[k] for k in kinds], batch.nulls(len(ids)), batch.stamps(when)],
    )  # fmt: skip
    batch.rows(
        "channel_identities",
        ["id", "customer_id", "channel", "external_id", "verified", "linked_at"],
        identities,
    )
    batch.rows(
        "complaints",
        [
            "id",
            "reference",
            "customer_id",
            "category",
            "description",
            "channel",
            "status",
            "created_at",
            "sla_due",
        ],
        complaints,
    )
    batch.rows(
        "churn_signals",
        ["id", "customer_id", "signal", "channel", "conversation_id", "created_at"],
        signals,
    )
    n.count("interactions", len(ids))
    for table, rows in (
        ("channel_identities", identities),
        ("complaints", complaints),
        ("churn_signals", signals),
    ):
        n.count(table, len(rows))


def _complaint(n, rng, cid, category, now, days_ago, channel):
    cid_ = int(n.take("complaint", 1)[0])
    days_ago = float(days_ago)
    created = now - dt.timedelta(days=days_ago)
    status = "open" if days_ago < 20 else "resolved"
    due = (created + dt.timedelta(days=SLA_DAYS[category])).date()
    return (
        cid_,
        f"CMP-{created:%y%m%d}-{cid_:06d}",
        cid,
        category,
        COMPLAINT_TEXT[category],
        channel,
        status,
        created,
        due,
    )


# Hidden truth of who accepts what: the model has to learn it from the outcomes alone.
def _true_logit(code: np.ndarray, category: np.ndarray, c: dict, context: np.ndarray):
    z_spend = np.log(np.maximum(c["spend"], 100) / 3000)
    z_bal = np.log((c["balance"] + 1000) / 50000)
    z_inc = np.log(c["income"] / 10000)
    young = (c["age"] < 35).astype(float)
    mid = ((c["age"] >= 30) & (c["age"] <= 50)).astype(float)
    cons, bal, aggr = (
        (c["appetite"] == a).astype(float) for a in (CONSERVATIVE, BALANCED, AGGRESSIVE)
    )
    event = (context == "event").astype(float)
    by_category = {
        "credit_card": -2.6 + 0.9 * z_spend + 0.5 * young - 0.8 * c["has_card"],
        "loan": -3.2 + 0.8 * z_inc + 0.6 * young,
        "deposit": -2.4 + 0.6 * z_bal + 1.0 * cons - 0.5 * aggr,
        "wealth": -2.8 + 0.6 * z_bal + 1.5 * event,
        "insurance": -3.0 + 0.8 * mid + 0.5 * z_inc,
        "account": -1.8 + 1.3 * c["fees"] + 0.8 * c["churn"],
    }
    logit = np.select([category == k for k in by_category], list(by_category.values()))
    by_code = {
        "CL_INCREASE": 0.6 + 0.8 * c["has_card"] + 0.4 * z_spend,
        "WM_EQUITY": 1.4 * aggr - 1.5 * cons,
        "WM_BALANCED": 0.8 * bal + 0.4 * aggr - 0.8 * cons,
        "WM_MMF": 0.6 * cons,
        "RET_LOYALTY_RATE": 0.8 + 1.2 * c["churn"],
    }
    logit = logit + np.select([code == k for k in by_code], list(by_code.values()), 0.0)
    return logit + np.where(context == "agent", 0.4, 0.0)


def _write_presentations(batch: Batch, rng, pop, lo, hi, now, n) -> None:
    """About ten offers per customer over the two years (none in the last month), with outcomes."""
    category_of = {o["code"]: o["category"] for o in OFFERS}
    cross = np.array([o["code"] for o in OFFERS if o["purpose"] != "retention"])
    retention = np.array([o["code"] for o in OFFERS if o["purpose"] == "retention"] + ["TD_12M"])
    wealth = np.array([o["code"] for o in OFFERS if o["category"] == "wealth"] + ["TD_12M"])
    g = np.repeat(np.arange(lo, hi), rng.poisson(10, hi - lo))
    m = len(g)
    if m == 0:
        return
    roll = rng.random(m)
    is_retention = pop.churn[g] & (roll < 0.3)
    is_event = ~is_retention & (roll < 0.12)
    code = np.where(
        is_retention,
        retention[rng.integers(0, len(retention), m)],
        np.where(
            is_event, wealth[rng.integers(0, len(wealth), m)], cross[rng.integers(0, len(cross), m)]
        ),
    )
    agent = ~is_retention & ~is_event & (rng.random(m) < 0.3)
    context = np.where(
        is_retention, "retention", np.where(is_event, "event", np.where(agent, "agent", "chat"))
    )
    bot = rng.random(m) < 0.7
    by = np.where(agent, "agent", np.where(bot, "assistant", "app"))
    channel = np.where(
        agent,
        np.where(rng.random(m) < 0.7, "phone", "branch"),
        np.where(bot & pop.telegram[g] & (rng.random(m) < 0.4), "telegram", "app"),
    )
    c = {
        "spend": pop.income[g] * np.where(pop.persona[g] == 3, 0.15, 0.35),
        "balance": pop.current[g] + pop.savings[g] + pop.time_deposit[g],
        "income": pop.income[g],
        "age": pop.age[g],
        "appetite": pop.appetite[g],
        "has_card": (pop.credit_card[g] > 0).astype(float),
        "fees": (pop.fee_heavy[g] | pop.fee_plan[g] | (pop.persona[g] == STRUGGLING)).astype(float),
        "churn": pop.churn[g].astype(float),
    }
    category = np.array([category_of[x] for x in code.tolist()])
    logit = _true_logit(code, category, c, context) + rng.normal(0, 0.4, m)
    accepted = rng.random(m) < 1 / (1 + np.exp(-logit))
    outcome = np.where(accepted, "accepted", np.where(rng.random(m) < 0.55, "declined", "ignored"))
    presented = rng.uniform(31, HISTORY_DAYS, m) * 86400
    answered = presented - rng.uniform(0, 72, m) * 3600
    ids = n.take("presentation", m)
    stamp = np.datetime64(now, "s")
    columns = ["id", "customer_id", "offer_code", "context", "channel", "presented_by",
               "presented_at", "outcome", "outcome_at"]  # fmt: skip
    batch.columns("offer_presentations", columns, [
        batch.ints(ids), batch.ints(g + 1), code.tolist(), context.tolist(), channel.tolist(),
        by.tolist(), batch.stamps(stamp - presented.astype("timedelta64[s]")), outcome.tolist(),
        batch.stamps(stamp - answered.astype("timedelta64[s]")),
    ])  # fmt: skip
    n.count("offer_presentations", m)
