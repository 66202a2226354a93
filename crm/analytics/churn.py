"""Churn risk (0-1) with its top factors: fees, falling balances, lost salary, complaints and a
stated wish to close.

Each factor has a strength in [0, 1] and a weight; the score is 1 - prod(1 - weight*strength),
so one strong factor is enough to matter and several compound without passing 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crm.money import money_str, to_money
from crm.reasons import Reason, reason

WEIGHTS = {
    "wish_to_close": 0.6,
    "fees": 0.35,
    "falling_balance": 0.35,
    "salary_stopped": 0.3,
    "complaints": 0.25,
}
FEE_SCALE = Decimal("200")  # fees in 90 days at which the fee factor is at full strength
LEVELS = ((0.6, "high"), (0.3, "medium"), (0.0, "low"))


@dataclass(frozen=True)
class ChurnRisk:
    score: float
    level: str
    factors: list[dict[str, Any]]


def _get(f: Any, name: str) -> Any:
    return f[name] if isinstance(f, dict) else getattr(f, name)


def _factors(f: Any) -> list[tuple[str, float, Reason]]:
    out: list[tuple[str, float, Reason]] = []
    if _get(f, "wish_to_close_90d") > 0:
        n = _get(f, "wish_to_close_90d")
        out.append(
            (
                "wish_to_close",
                1.0,
                reason(
                    "wish_to_close",
                    f"Said {n} time(s) in the last 90 days they want to close the account.",
                    times=n,
                ),
            )
        )
    fees, fee_count = to_money(_get(f, "fees_90d")), _get(f, "fee_count_90d")
    fee_complaints = _get(f, "fee_complaints_180d")
    if fees > 0 or fee_complaints > 0:
        strength = min(1.0, float(fees / FEE_SCALE) + (0.3 if fee_complaints else 0.0))
        text = f"Paid {money_str(fees)} CNY in {fee_count} fee(s) over the last 90 days"
        text += f" and complained about fees {fee_complaints} time(s)." if fee_complaints else "."
        out.append(
            (
                "fees",
                strength,
                reason(
                    "fees",
                    text,
                    fees_paid=money_str(fees),
                    fee_count=fee_count,
                    fee_complaints=fee_complaints,
                    currency="CNY",
                ),
            )
        )
    before, now = to_money(_get(f, "avg_balance_prev_3m")), to_money(_get(f, "avg_balance_3m"))
    if before > 0 and now < before:
        drop = float((before - now) / before)
        strength = max(0.0, min(1.0, (drop - 0.1) / 0.5))
        if strength > 0:
            out.append(
                (
                    "falling_balance",
                    strength,
                    reason(
                        "falling_balance",
                        f"Average balance fell {drop:.0%}, from {money_str(before)} to "
                        f"{money_str(now)} CNY (last 3 months against the 3 before).",
                        balance_before=money_str(before),
                        balance_now=money_str(now),
                        drop_share=round(drop, 3),
                        currency="CNY",
                    ),
                )
            )
    prev, recent = _get(f, "salary_months_prev_6m"), _get(f, "salary_months_6m")
    if prev >= 3 and recent <= prev - 2:
        out.append(
            (
                "salary_stopped",
                (prev - recent) / prev,
                reason(
                    "salary_stopped",
                    f"Salary paid in {recent} of the last 6 months, "
                    f"against {prev} of the 6 before.",
                    salary_months_now=recent,
                    salary_months_before=prev,
                ),
            )
        )
    complaints = _get(f, "complaints_180d")
    if complaints > 0:
        out.append(
            (
                "complaints",
                min(1.0, complaints / 2),
                reason(
                    "complaints",
                    f"{complaints} complaint(s) in the last 180 days.",
                    complaints=complaints,
                ),
            )
        )
    return out


def churn_risk(f: Any, top: int = 3) -> ChurnRisk:
    """Score and the `top` factors, strongest contribution first."""
    keep = 1.0
    factors = []
    for code, strength, why in _factors(f):
        contribution = WEIGHTS[code] * strength
        keep *= 1 - contribution
        factors.append({**why, "weight": round(contribution, 3)})
    score = round(1 - keep, 3)
    factors.sort(key=lambda x: x["weight"], reverse=True)
    level = next(name for bound, name in LEVELS if score >= bound)
    return ChurnRisk(score=score, level=level, factors=factors[:top])
