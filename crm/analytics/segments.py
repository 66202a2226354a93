"""Segments from the four dimensions of the ACRM seed case, and the customer's risk appetite.

Dimensions: product holdings, channel usage, contribution (what the bank earns in a year)
and resource allocation (what serving the customer costs in a year). Segments:
  high_loyalty_high_potential      long tenure, broad holdings, contributes well above cost
  high_potential_low_contribution  earning power the bank is not yet capturing
  low_value                        neither: little contribution and little untapped potential
Risk appetite comes from what the customer chose to hold: conservative_saver, balanced, aggressive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crm.analytics.features import refresh_features
from crm.bulk import bulk_insert
from crm.clock import business_now
from crm.models import SegmentAssignment
from crm.money import money_str, to_money
from crm.reasons import Reason, reason

SEGMENTS = ("high_loyalty_high_potential", "high_potential_low_contribution", "low_value")
RISK_APPETITES = ("conservative_saver", "balanced", "aggressive")
SEGMENT_LABELS = {
    "high_loyalty_high_potential": "High loyalty, high potential",
    "high_potential_low_contribution": "High potential, low contribution",
    "low_value": "Low value",
}

# What the bank earns a year per unit held (net interest margin, fees, interchange).
DEPOSIT_MARGIN = Decimal("0.015")
WEALTH_FEE = Decimal("0.008")
LOAN_MARGIN = Decimal("0.02")
CARD_DEBT_MARGIN = Decimal("0.08")
INTERCHANGE = Decimal("0.006")
INSURANCE_COMMISSION = Decimal("300")
# What a year of service costs: account upkeep and each touchpoint by channel.
BASE_COST = Decimal("60")
COST_PER = {"branch": Decimal("35"), "assisted": Decimal("8"), "digital": Decimal("0.5")}
COST_PER_COMPLAINT = Decimal("120")
# Earning power: a share of yearly income the bank could turn into revenue.
POTENTIAL_SHARE = Decimal("0.03")

LOYAL_TENURE = 3
LOYAL_PRODUCTS = 3
HIGH_CONTRIBUTION = Decimal("2000")
HIGH_POTENTIAL = Decimal("4000")


@dataclass(frozen=True)
class Assignment:
    segment: str
    risk_appetite: str
    reasons: list[Reason]
    figures: dict[str, Any]


def _get(features: Any, name: str) -> Any:
    return features[name] if isinstance(features, dict) else getattr(features, name)


def contribution(f: Any) -> Decimal:
    """Estimated yearly revenue from the customer's current holdings and activity."""
    holdings = _get(f, "holdings")
    value = (
        to_money(_get(f, "deposit_balance")) * DEPOSIT_MARGIN
        + to_money(_get(f, "wealth_balance")) * WEALTH_FEE
        + to_money(_get(f, "loan_balance")) * LOAN_MARGIN
        + to_money(_get(f, "card_debt")) * CARD_DEBT_MARGIN
        + to_money(_get(f, "monthly_card_spend")) * 12 * INTERCHANGE
        + to_money(_get(f, "fees_12m"))
        + (INSURANCE_COMMISSION if "insurance" in holdings else 0)
    )
    return to_money(value)


def cost_to_serve(f: Any) -> Decimal:
    """Estimated yearly cost: upkeep plus every branch visit, call, chat and complaint."""
    return to_money(
        BASE_COST
        + COST_PER["branch"] * _get(f, "branch_visits_12m")
        + COST_PER["assisted"] * _get(f, "assisted_interactions_12m")
        + COST_PER["digital"] * _get(f, "digital_interactions_12m")
        + COST_PER_COMPLAINT * _get(f, "complaints_180d")
    )


def potential(f: Any) -> Decimal:
    """Yearly revenue the customer's income could support; younger earners weigh more."""
    age = _get(f, "age")
    factor = Decimal("1.3") if age < 40 else Decimal("1.0") if age < 55 else Decimal("0.6")
    return to_money(to_money(_get(f, "monthly_income")) * 12 * POTENTIAL_SHARE * factor)


def assign(f: Any) -> Assignment:
    """Segment and risk appetite of one feature row, each with its reasons."""
    holdings = list(_get(f, "holdings"))
    earned, cost, could = contribution(f), cost_to_serve(f), potential(f)
    digital, assisted = _get(f, "digital_interactions_12m"), _get(f, "assisted_interactions_12m")
    branch = _get(f, "branch_visits_12m")
    touches = digital + assisted + branch
    digital_share = round(digital / touches, 2) if touches else 0.0
    tenure = _get(f, "tenure_years")
    figures = {
        "product_count": len(holdings),
        "holdings": holdings,
        "tenure_years": tenure,
        "contribution_12m": money_str(earned),
        "cost_to_serve_12m": money_str(cost),
        "potential_12m": money_str(could),
        "monthly_income": money_str(_get(f, "monthly_income")),
        "digital_share": digital_share,
        "interactions_12m": touches,
    }
    reasons = [
        reason(
            "holdings",
            f"Holds {len(holdings)} product type(s): {', '.join(holdings) or 'none'}; "
            f"customer for {tenure} year(s).",
            product_count=len(holdings),
            tenure_years=tenure,
        ),
        reason(
            "channel_usage",
            f"{touches} contacts in 12 months, {digital_share:.0%} digital "
            f"({branch} branch visits, {assisted} calls).",
            interactions_12m=touches,
            digital_share=digital_share,
            branch_visits_12m=branch,
        ),
        reason(
            "contribution",
            f"Earns the bank about {money_str(earned)} CNY a year.",
            contribution_12m=money_str(earned),
            currency="CNY",
        ),
        reason(
            "cost_to_serve",
            f"Costs about {money_str(cost)} CNY a year to serve.",
            cost_to_serve_12m=money_str(cost),
            currency="CNY",
        ),
    ]
    if (
        tenure >= LOYAL_TENURE
        and len(holdings) >= LOYAL_PRODUCTS
        and earned >= HIGH_CONTRIBUTION
        and earned >= 2 * cost
    ):
        segment = "high_loyalty_high_potential"
        verdict = (
            f"Loyal ({tenure} years, {len(holdings)} product types) and contributes "
            f"{money_str(earned)} CNY a year, over twice the {money_str(cost)} CNY cost."
        )
    elif could >= HIGH_POTENTIAL and earned * 2 < could:
        segment = "high_potential_low_contribution"
        verdict = (
            f"Income of {money_str(_get(f, 'monthly_income'))} CNY a month could support "
            f"{money_str(could)} CNY a year, but contributes only {money_str(earned)} CNY."
        )
    else:
        segment = "low_value"
        verdict = (
            f"Contributes {money_str(earned)} CNY a year against {money_str(cost)} CNY to serve, "
            f"with earning potential of {money_str(could)} CNY."
        )
    reasons.insert(
        0,
        reason(
            f"segment_{segment}",
            verdict,
            **{k: figures[k] for k in ("contribution_12m", "cost_to_serve_12m", "potential_12m")},
        ),
    )
    appetite, why = risk_appetite(f)
    reasons.append(why)
    return Assignment(segment, appetite, reasons, figures)


def risk_appetite(f: Any) -> tuple[str, Reason]:
    """From the mix of safe deposits, low-risk and risky wealth products the customer holds."""
    deposits, wealth = to_money(_get(f, "deposit_balance")), to_money(_get(f, "wealth_balance"))
    risky = to_money(_get(f, "risky_wealth_balance"))
    investable = deposits + wealth
    risky_share = float(risky / investable) if investable > 0 else 0.0
    wealth_share = float(wealth / investable) if investable > 0 else 0.0
    if risky_share >= 0.3:
        appetite = "aggressive"
    elif risky_share < 0.05 and wealth_share < 0.2:
        appetite = "conservative_saver"
    else:
        appetite = "balanced"
    text = (
        f"{risky_share:.0%} of {money_str(investable)} CNY investable assets in funds of "
        f"risk level 3+, {wealth_share:.0%} in any wealth product."
    )
    return appetite, reason(
        f"risk_{appetite}",
        text,
        investable=money_str(investable),
        risky_share=round(risky_share, 3),
        wealth_share=round(wealth_share, 3),
        currency="CNY",
    )


def refresh_segments(
    session: Session,
    customer_ids: Sequence[int] | None = None,
    features: list[dict[str, Any]] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[str, int]:
    """Assign and store segments (from fresh features unless given); returns counts."""
    rows = features if features is not None else refresh_features(session, customer_ids, as_of)
    now = as_of or business_now()
    table = SegmentAssignment.__table__
    if customer_ids is None:
        session.execute(delete(SegmentAssignment))
    else:
        session.execute(
            delete(SegmentAssignment).where(SegmentAssignment.customer_id.in_(customer_ids))
        )
    counts: dict[str, int] = {}
    out = []
    for row in rows:
        a = assign(row)
        counts[a.segment] = counts.get(a.segment, 0) + 1
        counts[a.risk_appetite] = counts.get(a.risk_appetite, 0) + 1
        out.append((row["customer_id"], a.segment, a.risk_appetite, a.reasons, a.figures, now))
    bulk_insert(
        session,
        table,
        ["customer_id", "segment", "risk_appetite", "reasons", "figures", "computed_at"],
        out,
    )
    session.expire_all()
    return counts
