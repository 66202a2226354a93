"""Whether an offer may be made to a customer at all, from the offer's rules (see
`crm.catalogue`) and the customer's features, segment and risk appetite."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crm.models import CustomerFeatures, Offer
from crm.money import money_str, to_money

DEFAULT_DAYS_PAST_DUE = 30
DEBT_TO_INCOME_LIMIT = Decimal("6")


def likely_to_default(f: CustomerFeatures) -> str | None:
    """Why new credit would be irresponsible for this customer, or None."""
    if f.max_days_past_due >= DEFAULT_DAYS_PAST_DUE:
        return f"A repayment is {f.max_days_past_due} days past due."
    income, debt = to_money(f.monthly_income), to_money(f.card_debt)
    if debt > 0 and debt > DEBT_TO_INCOME_LIMIT * income:
        return (
            f"Card debt of {money_str(debt)} CNY is over {DEBT_TO_INCOME_LIMIT} times the "
            f"monthly income of {money_str(income)} CNY."
        )
    return None


def ineligibility(
    offer: Offer, f: CustomerFeatures, segment: str, appetite: str
) -> tuple[str, str] | None:
    """(code, agent-facing reason) for the first rule the customer fails, or None if eligible."""
    rules: dict[str, Any] = offer.rules or {}
    holdings, products = set(f.holdings or ()), set(f.products or ())
    if "segments" in rules and segment not in rules["segments"]:
        return (
            "segment",
            f"Only for segments {', '.join(rules['segments'])}; customer is {segment}.",
        )
    if "risk_appetites" in rules and appetite not in rules["risk_appetites"]:
        return "risk_appetite", (
            f"Only for risk appetites {', '.join(rules['risk_appetites'])}; customer is {appetite}."
        )
    if f.age < rules.get("min_age", 0) or f.age > rules.get("max_age", 200):
        return "age", (
            f"Age {f.age} is outside {rules.get('min_age', 0)}-{rules.get('max_age', 'any')}."
        )
    missing = set(rules.get("require_holdings", ())) - holdings
    if missing:
        return "holdings", f"Needs {', '.join(sorted(missing))}."
    held = (set(rules.get("exclude_holdings", ())) & holdings) | (
        set(rules.get("exclude_products", ())) & products
    )
    if held:
        return "holdings", f"Already holds {', '.join(sorted(held))}."
    if rules.get("credit"):
        why = likely_to_default(f)
        if why:
            return "default_risk", f"No new credit: {why}"
    thresholds = (
        ("min_monthly_income", f.monthly_income, "monthly income"),
        ("min_balance", f.deposit_balance, "deposit balance"),
        ("min_fees_12m", f.fees_12m, "fees paid in 12 months"),
    )
    for key, value, label in thresholds:
        if key in rules and to_money(value) < Decimal(str(rules[key])):
            return key, f"{label.capitalize()} {money_str(value)} CNY is below {rules[key]} CNY."
    if f.tenure_years < rules.get("min_tenure_years", 0):
        return "tenure", f"Customer for {f.tenure_years} years; needs {rules['min_tenure_years']}."
    return None
