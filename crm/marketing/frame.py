"""The audience as columns: churn bands, eligibility and the propensity model's input for
100,000 customers at once (numpy), instead of a Python call per customer.

The per-customer functions stay the definition — `crm.analytics.churn.churn_risk`,
`crm.offers.eligibility.ineligibility`, `crm.offers.propensity.customer_vector` — and
tests/platform/test_campaigns.py holds these column versions to them, customer by customer.
They exist because the per-customer versions build reasons with words and figures for each
call (what an agent reads), which costs ~20 s for 100,000 customers; a campaign needs only
the band, the first failing rule and the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Float, Text, cast

from crm.analytics.churn import FEE_SCALE, LEVELS, WEIGHTS
from crm.models import CustomerFeatures, SegmentAssignment
from crm.offers.eligibility import DEBT_TO_INCOME_LIMIT, DEFAULT_DAYS_PAST_DUE

NUMBERS = (
    "age",
    "tenure_years",
    "monthly_income",
    "monthly_card_spend",
    "fees_90d",
    "fees_12m",
    "fee_complaints_180d",
    "salary_months_6m",
    "salary_months_prev_6m",
    "avg_balance_3m",
    "avg_balance_prev_3m",
    "deposit_balance",
    "wealth_balance",
    "loan_balance",
    "card_debt",
    "max_days_past_due",
    "digital_interactions_12m",
    "assisted_interactions_12m",
    "branch_visits_12m",
    "complaints_180d",
    "wish_to_close_90d",
)
# Numbers arrive as floats from the database (a CAST), not as Decimals: converting 2 million
# Decimals one by one would cost more than everything else the preview does.
COLUMNS = (
    CustomerFeatures.customer_id,
    SegmentAssignment.segment,
    SegmentAssignment.risk_appetite,
    # JSON lists as their text: a quoted name is found by a substring test, far cheaper than
    # parsing 200,000 JSON documents (the batch writes each list of names once, sorted).
    cast(CustomerFeatures.holdings, Text).label("holdings"),
    cast(CustomerFeatures.products, Text).label("products"),
    *(cast(getattr(CustomerFeatures, name), Float).label(name) for name in NUMBERS),
)


@dataclass
class Frame:
    ids: np.ndarray
    segment: np.ndarray
    appetite: np.ndarray
    holdings: list[str]  # the JSON text of each customer's list
    products: list[str]
    num: dict[str, np.ndarray]
    _kinds: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def holds(self, kind: str) -> np.ndarray:
        return self._member("kind", kind, self.holdings)

    def holds_product(self, code: str) -> np.ndarray:
        return self._member("product", code, self.products)

    def _member(self, what: str, value: str, lists: list[str]) -> np.ndarray:
        key = (what, value)
        if key not in self._kinds:
            quoted = f'"{value}"'
            self._kinds[key] = np.fromiter(
                (quoted in (x or "") for x in lists), dtype=bool, count=len(lists)
            )
        return self._kinds[key]

    def holding_counts(self) -> np.ndarray:
        """How many kinds each customer holds (two quotes per name)."""
        counts = ((x or "").count('"') // 2 for x in self.holdings)
        return np.fromiter(counts, dtype=float, count=len(self))

    def any_of(self, kinds: Iterable[str] = (), products: Iterable[str] = ()) -> np.ndarray:
        out = np.zeros(len(self), dtype=bool)
        for kind in kinds:
            out |= self.holds(kind)
        for code in products:
            out |= self.holds_product(code)
        return out


def build(rows: Sequence[Sequence[Any]]) -> Frame:
    """A frame from rows selected with COLUMNS, in that order."""
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if n else [()] * len(COLUMNS)
    return Frame(
        ids=np.array(cols[0], dtype=np.int64),
        segment=np.array(cols[1], dtype=object),
        appetite=np.array(cols[2], dtype=object),
        holdings=list(cols[3]),
        products=list(cols[4]),
        num={name: np.array(cols[5 + i], dtype=float) for i, name in enumerate(NUMBERS)},
    )


def churn_scores(f: Frame) -> np.ndarray:
    """churn_risk(...).score for every customer: 1 - prod(1 - weight x strength)."""
    x = f.num
    keep = np.ones(len(f))
    keep *= 1 - WEIGHTS["wish_to_close"] * (x["wish_to_close_90d"] > 0)
    fees, complaints = x["fees_90d"], x["fee_complaints_180d"]
    fee_strength = np.minimum(1.0, fees / float(FEE_SCALE) + np.where(complaints > 0, 0.3, 0.0))
    keep *= 1 - WEIGHTS["fees"] * np.where((fees > 0) | (complaints > 0), fee_strength, 0.0)
    before, now = x["avg_balance_prev_3m"], x["avg_balance_3m"]
    falling = (before > 0) & (now < before)
    drop = np.divide(before - now, before, out=np.zeros(len(f)), where=before > 0)
    strength = np.clip((drop - 0.1) / 0.5, 0.0, 1.0)
    keep *= 1 - WEIGHTS["falling_balance"] * np.where(falling, strength, 0.0)
    prev, recent = x["salary_months_prev_6m"], x["salary_months_6m"]
    stopped = (prev >= 3) & (recent <= prev - 2)
    lost = np.divide(prev - recent, prev, out=np.zeros(len(f)), where=prev > 0)
    keep *= 1 - WEIGHTS["salary_stopped"] * np.where(stopped, lost, 0.0)
    keep *= 1 - WEIGHTS["complaints"] * np.minimum(1.0, x["complaints_180d"] / 2)
    # Python's round (correctly rounded, as churn_risk's), not np.round (x*1000, rint, /1000),
    # which differs on values like 0.6295 and would move customers across a band's edge.
    return np.array([round(v, 3) for v in (1 - keep).tolist()], dtype=float)


def churn_bands(scores: np.ndarray) -> np.ndarray:
    """The level churn_risk gives: high, medium or low."""
    (high, h_name), (medium, m_name), (_, l_name) = LEVELS
    return np.where(scores >= high, h_name, np.where(scores >= medium, m_name, l_name))


def ineligible(rules: dict[str, Any], f: Frame) -> np.ndarray:
    """The code of the first rule each customer fails ('' when eligible), in the order
    crm.offers.eligibility.ineligibility checks them."""
    x = f.num
    checks: list[tuple[str, np.ndarray]] = []
    if "segments" in rules:
        checks.append(("segment", ~np.isin(f.segment, rules["segments"])))
    if "risk_appetites" in rules:
        checks.append(("risk_appetite", ~np.isin(f.appetite, rules["risk_appetites"])))
    checks.append(
        ("age", (x["age"] < rules.get("min_age", 0)) | (x["age"] > rules.get("max_age", 200)))
    )
    required = rules.get("require_holdings", ())
    missing = np.zeros(len(f), dtype=bool)
    for kind in required:
        missing |= ~f.holds(kind)
    checks.append(("holdings", missing))
    held = f.any_of(rules.get("exclude_holdings", ()), rules.get("exclude_products", ()))
    checks.append(("holdings", held))
    if rules.get("credit"):
        debt, income = x["card_debt"], x["monthly_income"]
        default = (x["max_days_past_due"] >= DEFAULT_DAYS_PAST_DUE) | (
            (debt > 0) & (debt > float(DEBT_TO_INCOME_LIMIT) * income)
        )
        checks.append(("default_risk", default))
    for key, column in (
        ("min_monthly_income", "monthly_income"),
        ("min_balance", "deposit_balance"),
        ("min_fees_12m", "fees_12m"),
    ):
        if key in rules:
            checks.append((key, x[column] < float(rules[key])))
    checks.append(("tenure", x["tenure_years"] < rules.get("min_tenure_years", 0)))
    return np.select([m for _, m in checks], [c for c, _ in checks], default="")


def customer_matrix(f: Frame, churn: np.ndarray, events: np.ndarray) -> np.ndarray:
    """customer_vector(...) for every customer, one row each (the model's customer half)."""
    x = f.num
    touches = x["digital_interactions_12m"] + x["assisted_interactions_12m"]
    touches = touches + x["branch_visits_12m"]
    digital = np.divide(
        x["digital_interactions_12m"], touches, out=np.zeros(len(f)), where=touches > 0
    )
    count = f.holding_counts()
    columns = [
        np.ones(len(f)),
        x["age"] / 100,
        np.minimum(x["tenure_years"], 30) / 30,
        np.log1p(x["monthly_income"]) / 12,
        np.log1p(x["monthly_card_spend"]) / 10,
        np.log1p(x["deposit_balance"]) / 14,
        np.log1p(x["wealth_balance"]) / 14,
        np.log1p(x["loan_balance"]) / 14,
        count / 8,
        digital,
        f.holds("credit_card"),
        f.holds("savings"),
        f.holds("wealth"),
        f.holds("insurance"),
        f.any_of(("loan", "mortgage")),
        f.segment == "high_loyalty_high_potential",
        f.segment == "high_potential_low_contribution",
        f.appetite == "conservative_saver",
        f.appetite == "aggressive",
        churn,
        np.log1p(x["fees_12m"]) / 8,
        events,
    ]
    return np.column_stack([np.asarray(c, dtype=float) for c in columns])
