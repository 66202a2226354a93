"""What to do about each event kind: which channels to try (in order) and which offers fit.

Rules are data. A churn signal is worth an agent's call; a reminder or a wealth nudge is a
proactive message first and a call only if the customer cannot be messaged. The offer is the
candidate with the highest expected value (propensity x margin, as crm.offers.nbo ranks them)
among those the customer is eligible for; with none, only a churn signal still earns a (care)
call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crm.marketing.event_scan import (
    CARD_EXPIRING,
    LARGE_DEPOSIT,
    SALARY_CHANGE,
    TD_MATURING,
    TRANSFER_OUT,
)
from crm.models import CustomerFeatures, Offer
from crm.money import to_money
from crm.offers.eligibility import ineligibility
from crm.offers.propensity import Model, customer_vector, design_row, rules_propensity
from crm.offers.reasons import offer_reasons, specific_count


@dataclass(frozen=True)
class Rule:
    channels: tuple[str, ...]  # preference order among 'call', 'app', 'telegram'
    context: str  # the offer context (crm.offers.nbo.CONTEXTS) the offers must allow
    offers: tuple[str, ...]  # candidate offer codes; () = a contact without an offer
    valid_days: int  # an item older than this is stale, even if the moment lasts longer
    # Without an eligible offer: a care call still helps a customer who may be leaving; a
    # proactive message is an offer (the sender drops offer-less ones), so it is not planned.
    call_without_offer: bool = False

    def channels_for(self, offer_code: str | None) -> tuple[str, ...]:
        """The channels to try, in order, for the offer chosen (or none)."""
        if offer_code is not None:
            return self.channels
        return tuple(c for c in self.channels if c == "call") if self.call_without_offer else ()


MESSAGE_FIRST = ("app", "telegram", "call")
WEALTH = ("WM_MMF", "WM_BALANCED", "WM_EQUITY", "TD_12M")
RETAIN = ("RET_LOYALTY_RATE", "RET_FEE_WAIVER")
# A card's renewal is the moment for a better card (offers for the agent's context: the
# contact is an adviser's call or the assistant's message, not an automated event offer).
CARD_UPGRADE = ("CC_PLATINUM", "CL_INCREASE", "CC_REWARDS")
RULES: dict[str, Rule] = {
    LARGE_DEPOSIT: Rule(("call", "app", "telegram"), "event", WEALTH, 14),
    TRANSFER_OUT: Rule(("call",), "retention", (*RETAIN, "TD_12M"), 7, call_without_offer=True),
    f"{SALARY_CHANGE}:stopped": Rule(("call",), "retention", RETAIN, 7, call_without_offer=True),
    f"{SALARY_CHANGE}:rose": Rule(MESSAGE_FIRST, "event", ("WM_MMF", "WM_BALANCED", "TD_12M"), 14),
    f"{SALARY_CHANGE}:fell": Rule(("call",), "retention", ("RET_FEE_WAIVER",), 7,
                                  call_without_offer=True),
    CARD_EXPIRING: Rule(MESSAGE_FIRST, "agent", CARD_UPGRADE, 14),
    TD_MATURING: Rule(MESSAGE_FIRST, "event", ("TD_12M", "WM_MMF", "WM_BALANCED"), 14),
}  # fmt: skip


def rule_for(kind: str, figures: dict[str, Any] | None) -> Rule | None:
    """The rule for an opportunity; salary changes split by direction (figures['change'])."""
    change = (figures or {}).get("change")
    return RULES.get(f"{kind}:{change}") or RULES.get(kind)


@dataclass(frozen=True)
class Choice:
    offer_code: str | None
    propensity: float
    expected_value: float


def choose_offer(
    rule: Rule,
    catalogue: dict[str, Offer],
    f: CustomerFeatures | None,
    segment: str | None,
    appetite: str | None,
    model: Model | None,
) -> Choice:
    """The best eligible candidate by expected value; no features (not analysed yet) means no
    offer, since eligibility (credit risk, risk appetite) cannot be checked."""
    if not rule.offers or f is None or segment is None or appetite is None:
        return Choice(None, 0.0, 0.0)
    vector = customer_vector(f, segment, appetite, True) if model is not None else None
    best: Choice | None = None
    for code in rule.offers:
        offer = catalogue.get(code)
        if offer is None or rule.context not in (offer.contexts or ()):
            continue
        if ineligibility(offer, f, segment, appetite):
            continue
        if model is not None and vector is not None:
            p = model.score(design_row(vector, offer.code, offer.category, rule.context))
        else:  # the event itself is one specific reason on top of the customer's own
            specific = specific_count(offer_reasons(offer, f, segment, appetite, None)) + 1
            p = rules_propensity(offer, specific)
        ev = float(to_money(Decimal(str(p)) * to_money(offer.margin)))
        if best is None or ev > best.expected_value:
            best = Choice(offer.code, round(p, 4), ev)
    return best or Choice(None, 0.0, 0.0)
