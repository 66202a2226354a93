"""Who the synthetic customers are: persona, age, income, holdings and behaviour flags.

Drawn once for everyone with numpy (vectorised), so the rest of the generator can work
in chunks. Personas are chosen so every segment, risk appetite, event and churn factor
occurs: mass-market, loyal affluent, young professional, senior saver, struggling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

MASS, LOYAL, YOUNG, SENIOR, STRUGGLING = range(5)
PERSONAS = ("mass", "loyal", "young_pro", "senior_saver", "struggling")
PERSONA_SHARE = (0.34, 0.20, 0.20, 0.14, 0.12)
CONSERVATIVE, BALANCED, AGGRESSIVE = range(3)

#                  mass   loyal  young  senior struggling
AGE = ((22, 60), (35, 62), (23, 36), (58, 80), (20, 55))
TENURE = ((0.5, 12), (5, 20), (0.6, 4), (8, 25), (0.6, 8))
INCOME = ((3000, 12000), (15000, 60000), (15000, 45000), (4000, 10000), (3000, 6500))
CURRENT_X = ((0.5, 2), (1, 4), (0.3, 1), (2, 5), (0.1, 0.5))  # balance, times monthly income
SAVINGS = ((0.4, 0.5, 4), (0.9, 3, 15), (0.3, 0.5, 2), (0.95, 10, 40), (0.1, 0.1, 0.3))
TIME_DEP = ((0.15, 2, 8), (0.6, 5, 20), (0.05, 1, 3), (0.8, 15, 50), (0.0, 0, 0))
APPETITE = ((0.7, 0.25, 0.05), (0.3, 0.45, 0.25), (0.35, 0.35, 0.3), (0.85, 0.15, 0), (0.9, 0.1, 0))
P_CREDIT_CARD = (0.45, 0.85, 0.5, 0.2, 0.7)
P_LOAN = (0.15, 0.1, 0.15, 0.02, 0.5)
P_MORTGAGE = (0.1, 0.5, 0.1, 0.05, 0.1)
P_INSURANCE = (0.1, 0.6, 0.1, 0.3, 0.02)
P_CHURN = (0.12, 0.05, 0.12, 0.05, 0.3)
P_EVENT = (0.04, 0.1, 0.06, 0.1, 0.01)
P_FEE_PLAN = (0.3, 0.0, 0.2, 0.05, 0.8)
SPEND_SHARE = (0.35, 0.25, 0.4, 0.15, 0.5)  # card spend, share of income
CARD_TX_PER_MONTH = (8, 6, 12, 4, 10)
RENT_SHARE = (0.25, 0.0, 0.3, 0.0, 0.3)
DIGITAL = (6, 10, 24, 1.5, 5)  # contacts a year by channel group
PHONE = (2, 2, 0.8, 3, 4)
BRANCH = (2, 3, 0.2, 8, 3)
P_TELEGRAM = (0.2, 0.2, 0.45, 0.05, 0.2)


@dataclass
class Population:
    """One entry per customer (index i is customer id i + 1)."""

    persona: np.ndarray
    age: np.ndarray
    birth: list[dt.date]
    joined: list[dt.date]
    tenure_days: np.ndarray
    city: np.ndarray
    employer: np.ndarray
    income: np.ndarray  # monthly, CNY
    current: np.ndarray  # typical current-account balance, CNY
    savings: np.ndarray  # 0 = no account
    time_deposit: np.ndarray
    appetite: np.ndarray
    mmf: np.ndarray
    balanced_fund: np.ndarray
    equity_fund: np.ndarray
    credit_card: np.ndarray  # 0 none, 1 classic, 2 platinum
    loan: np.ndarray  # amount owed, 0 = none
    mortgage: np.ndarray
    days_past_due: np.ndarray
    insurance: np.ndarray  # 0 none, 1 life, 2 health
    churn: np.ndarray  # bool
    falling: np.ndarray  # churn: moves money out
    salary_moved: np.ndarray  # churn: salary stopped arriving
    fee_heavy: np.ndarray  # churn: many recent fees
    complains: np.ndarray  # churn: recent complaints
    wants_to_close: np.ndarray  # churn: said so recently
    event: np.ndarray  # recent large deposit
    fee_plan: np.ndarray  # pays a monthly account fee
    telegram: np.ndarray

    @property
    def n(self) -> int:
        return len(self.persona)


def _pick(rng: np.random.Generator, persona: np.ndarray, table: tuple) -> np.ndarray:
    """Per-customer probability from a per-persona table, then a coin flip."""
    return rng.random(len(persona)) < np.asarray(table)[persona]


def _uniform(rng: np.random.Generator, persona: np.ndarray, table: tuple) -> np.ndarray:
    bounds = np.asarray(table, dtype=float)[persona]
    return bounds[:, 0] + rng.random(len(persona)) * (bounds[:, 1] - bounds[:, 0])


def draw(n: int, seed: int, as_of: dt.date) -> Population:
    rng = np.random.default_rng([seed, 0])
    persona = rng.choice(5, size=n, p=PERSONA_SHARE)
    age = _uniform(rng, persona, AGE).astype(int)
    tenure_years = np.minimum(_uniform(rng, persona, TENURE), age - 18.0)
    tenure_days = np.maximum((tenure_years * 365.25).astype(int), 180)
    birth_offset = (age * 365.25 + rng.integers(0, 365, n)).astype(int)
    birth = [as_of - dt.timedelta(days=int(d)) for d in birth_offset]
    joined = [as_of - dt.timedelta(days=int(d)) for d in tenure_days]
    income = np.round(_uniform(rng, persona, INCOME), -2)
    current = np.round(income * _uniform(rng, persona, CURRENT_X), 2)

    def holding(table: tuple) -> np.ndarray:
        spec = np.asarray(table, dtype=float)[persona]
        has = rng.random(n) < spec[:, 0]
        size = spec[:, 1] + rng.random(n) * (spec[:, 2] - spec[:, 1])
        return np.where(has, np.round(income * size, -2), 0.0)

    savings, time_deposit = holding(SAVINGS), holding(TIME_DEP)
    appetite = np.array([rng.choice(3, p=APPETITE[p]) for p in persona]) if n else np.zeros(0, int)
    base = current + savings + time_deposit
    mmf = np.where(
        appetite == BALANCED,
        0.15 * base,
        np.where((appetite == CONSERVATIVE) & (rng.random(n) < 0.3), 0.1 * base, 0.0),
    )
    balanced_fund = np.where(appetite == BALANCED, 0.25 * base, 0.0)
    equity_fund = np.where(appetite == AGGRESSIVE, np.maximum(0.8 * base, 20000), 0.0)
    card = _pick(rng, persona, P_CREDIT_CARD)
    platinum = card & (income >= 20000) & (rng.random(n) < 0.6)
    credit_card = card.astype(int) + platinum.astype(int)
    loan = np.where(_pick(rng, persona, P_LOAN), np.round(income * (2 + rng.random(n) * 8), -2), 0)
    mortgage = np.where(
        _pick(rng, persona, P_MORTGAGE), np.round(income * (40 + rng.random(n) * 80), -3), 0
    )
    in_arrears = (persona == STRUGGLING) & ((loan > 0) | card) & (rng.random(n) < 0.6)
    days_past_due = np.where(in_arrears, rng.integers(30, 91, n), 0)
    insured = _pick(rng, persona, P_INSURANCE)
    insurance = np.where(insured, 1 + (rng.random(n) < 0.4), 0)
    churn = _pick(rng, persona, P_CHURN)
    falling = churn & (rng.random(n) < 0.6)
    salary_moved = churn & (rng.random(n) < 0.45)
    fee_heavy = churn & (rng.random(n) < 0.7)
    complains = churn & (rng.random(n) < 0.6)
    wants_to_close = churn & (rng.random(n) < 0.25)
    event = _pick(rng, persona, P_EVENT) & ~churn
    return Population(
        persona=persona,
        age=age,
        birth=birth,
        joined=joined,
        tenure_days=tenure_days,
        city=rng.integers(0, 10, n),
        employer=rng.integers(0, 10, n),
        income=income,
        current=current,
        savings=savings,
        time_deposit=time_deposit,
        appetite=appetite,
        mmf=np.round(mmf, -2),
        balanced_fund=np.round(balanced_fund, -2),
        equity_fund=np.round(equity_fund, -2),
        credit_card=credit_card,
        loan=loan,
        mortgage=mortgage,
        days_past_due=days_past_due,
        insurance=insurance,
        churn=churn,
        falling=falling,
        salary_moved=salary_moved,
        fee_heavy=fee_heavy,
        complains=complains,
        wants_to_close=wants_to_close,
        event=event,
        fee_plan=_pick(rng, persona, P_FEE_PLAN),
        telegram=_pick(rng, persona, P_TELEGRAM),
    )


def make_demo_customers(pop: Population, as_of: dt.date) -> None:
    """Customers 1-5 are the demo's cast (see DEMO_CAST); the rest stay as drawn."""
    n = min(pop.n, 5)

    def set_(i: int, **values: object) -> None:
        for key, value in values.items():
            getattr(pop, key)[i] = value

    flags = dict(
        churn=False,
        falling=False,
        salary_moved=False,
        fee_heavy=False,
        complains=False,
        wants_to_close=False,
        event=False,
        days_past_due=0,
    )
    cast = [
        # 1: loyal balanced investor with a large deposit last week -> wealth opportunity
        dict(
            persona=LOYAL,
            age=46,
            income=28000,
            current=60000,
            savings=300000,
            time_deposit=200000,
            appetite=BALANCED,
            mmf=80000,
            balanced_fund=140000,
            equity_fund=0,
            credit_card=1,
            loan=0,
            mortgage=1200000,
            insurance=1,
            tenure_days=11 * 365,
            fee_plan=False,
            telegram=False,
            **{**flags, "event": True},
        ),
        # 2: mass-market customer paying fees, moving money out and complaining -> churn risk
        dict(
            persona=MASS,
            age=34,
            income=9000,
            current=15000,
            savings=20000,
            time_deposit=0,
            appetite=CONSERVATIVE,
            mmf=0,
            balanced_fund=0,
            equity_fund=0,
            credit_card=1,
            loan=0,
            mortgage=0,
            insurance=0,
            tenure_days=6 * 365,
            fee_plan=True,
            telegram=False,
            **{
                **flags,
                "churn": True,
                "falling": True,
                "salary_moved": True,
                "fee_heavy": True,
                "complains": True,
            },
        ),
        # 3: senior aggressive investor, broad holdings -> high loyalty, high potential
        dict(
            persona=LOYAL,
            age=52,
            income=45000,
            current=120000,
            savings=400000,
            time_deposit=300000,
            appetite=AGGRESSIVE,
            mmf=0,
            balanced_fund=100000,
            equity_fund=600000,
            credit_card=2,
            loan=0,
            mortgage=0,
            insurance=2,
            tenure_days=15 * 365,
            fee_plan=False,
            telegram=False,
            **flags,
        ),
        # 4: young professional with few products -> high potential, low contribution
        dict(
            persona=YOUNG,
            age=29,
            income=32000,
            current=18000,
            savings=0,
            time_deposit=0,
            appetite=AGGRESSIVE,
            mmf=0,
            balanced_fund=0,
            equity_fund=30000,
            credit_card=0,
            loan=0,
            mortgage=0,
            insurance=0,
            tenure_days=2 * 365,
            fee_plan=False,
            telegram=False,
            **flags,
        ),
        # 5: low-income, branch-heavy, only a current account -> low value
        dict(
            persona=MASS,
            age=58,
            income=3800,
            current=2500,
            savings=0,
            time_deposit=0,
            appetite=CONSERVATIVE,
            mmf=0,
            balanced_fund=0,
            equity_fund=0,
            credit_card=0,
            loan=0,
            mortgage=0,
            insurance=0,
            tenure_days=3 * 365,
            fee_plan=True,
            telegram=False,
            **flags,
        ),
    ]
    for i, values in enumerate(cast[:n]):
        set_(i, **values)
        pop.joined[i] = as_of - dt.timedelta(days=int(values["tenure_days"]))  # type: ignore[arg-type]
        pop.birth[i] = as_of - dt.timedelta(days=int(values["age"]) * 365 + 100)  # type: ignore[operator]


DEMO_CAST = {
    1: "large deposit last week -> wealth opportunity (event offers)",
    2: "fees, money moving out, lost salary, fee complaints -> high churn risk (retention)",
    3: "broad holdings, long tenure, aggressive investor",
    4: "young professional, high income, few products, invests in equities",
    5: "low income, current account only, branch-heavy",
}
