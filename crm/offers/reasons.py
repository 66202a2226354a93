"""Why an offer suits a customer, in reasons the assistant can voice by code.

Codes and figure names match the assistant's `utter_offer_reason_<code>` responses:
large_deposit(amount, currency), high_balance(balance, currency),
salary_inflow(monthly_income, currency), card_spend(monthly_card_spend, currency),
fee_waiver(fees_paid, currency), loyalty(tenure_years), risk_appetite, segment.
"""

from __future__ import annotations

from decimal import Decimal

from crm.analytics.segments import SEGMENT_LABELS
from crm.models import CustomerFeatures, Offer, Opportunity
from crm.money import money_str, to_money
from crm.reasons import Reason, reason

HIGH_BALANCE = Decimal("20000")
CARD_SPEND = Decimal("1000")
INCOME = Decimal("3000")
GENERIC = {"segment", "risk_appetite"}  # true of every eligible offer; not evidence of fit


def offer_reasons(
    offer: Offer,
    f: CustomerFeatures,
    segment: str,
    appetite: str,
    opportunity: Opportunity | None,
) -> list[Reason]:
    """Most specific first; always at least the segment reason."""
    out: list[Reason] = []
    category = offer.category
    # Only a deposit event is worded as one (other event kinds have their own reasons).
    deposit_event = opportunity is not None and opportunity.kind == "large_deposit"
    if opportunity is not None and deposit_event and category in ("wealth", "deposit"):
        fig = opportunity.figures or {}
        out.append(
            reason(
                "large_deposit",
                opportunity.reason,
                amount=fig.get("amount"),
                currency=fig.get("currency", "CNY"),
                average_balance=fig.get("average_balance"),
                deposit_date=fig.get("deposit_date"),
            )
        )
    balance = to_money(f.deposit_balance)
    if category in ("wealth", "deposit") and balance >= HIGH_BALANCE:
        out.append(
            reason(
                "high_balance",
                f"Keeps {money_str(balance)} CNY in deposits.",
                balance=money_str(balance),
                currency="CNY",
            )
        )
    spend = to_money(f.monthly_card_spend)
    if category == "credit_card" and spend >= CARD_SPEND:
        out.append(
            reason(
                "card_spend",
                f"Spends about {money_str(spend)} CNY a month by card.",
                monthly_card_spend=money_str(spend),
                currency="CNY",
            )
        )
    income = to_money(f.monthly_income)
    if category in ("loan", "credit_card", "insurance") and income >= INCOME:
        out.append(
            reason(
                "salary_inflow",
                f"Salary of about {money_str(income)} CNY a month is paid in here.",
                monthly_income=money_str(income),
                currency="CNY",
            )
        )
    fees = to_money(f.fees_12m)
    if offer.code == "RET_FEE_WAIVER" and fees > 0:
        out.append(
            reason(
                "fee_waiver",
                f"Paid {money_str(fees)} CNY in fees over the last 12 months.",
                fees_paid=money_str(fees),
                currency="CNY",
            )
        )
    if offer.purpose == "retention" and f.tenure_years >= 2:
        out.append(
            reason(
                "loyalty",
                f"Customer for {f.tenure_years} years.",
                tenure_years=f.tenure_years,
            )
        )
    if category == "wealth":
        out.append(
            reason(
                "risk_appetite",
                f"Product risk fits a {appetite.replace('_', ' ')} investor.",
                risk_appetite=appetite,
            )
        )
    out.append(
        reason(
            "segment",
            f"Fits the {SEGMENT_LABELS.get(segment, segment)} segment.",
            segment=segment,
        )
    )
    return out


def specific_count(reasons: list[Reason]) -> int:
    return sum(1 for r in reasons if r["code"] not in GENERIC)
