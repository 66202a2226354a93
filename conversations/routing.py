"""Which team a handoff goes to: from the reason the assistant handed over and the intent.

The reason wins when it names a desk (a churn risk goes to retention, a customer with an open
complaint to complaints): the assistant chose it knowing the whole dialogue. Otherwise (the
customer asked for a person, or the assistant did not understand) the customer's topic, their
last topical intent, decides: card matters to cards, disputed payments and refunds to
complaints, closing the account to retention, everything else to the general desk.
"""

from __future__ import annotations

from conversations.team_models import CARDS, COMPLAINTS, GENERAL, RETENTION
from core.vocabulary import HandoffReason

BY_REASON = {
    HandoffReason.RETENTION: RETENTION,
    HandoffReason.COMPLAINT: COMPLAINTS,
}
COMPLAINT_INTENTS = frozenset(
    {
        "complaint",
        "dispute_transaction",
        "transaction_charged_twice",
        "card_payment_not_recognised",
        "cash_withdrawal_not_recognised",
        "direct_debit_payment_not_recognised",
        "request_refund",
        "Refund_not_showing_up",
        "extra_charge_on_statement",
        "wrong_amount_of_cash_received",
    }
)
RETENTION_INTENTS = frozenset({"terminate_account"})
CARD_INTENTS = frozenset(
    {
        "block_card",
        "freeze_card",
        "unfreeze_card",
        "lost_or_stolen_card",
        "compromised_card",
        "change_pin",
        "pin_blocked",
        "contactless_not_working",
        "apple_pay_or_google_pay",
        "visa_or_mastercard",
        "supported_cards_and_currencies",
        "product_credit_card",
        "declined_card_payment",
        "atm_support",
    }
)


def team_for(reason: str | None, intent: str | None) -> str:
    """The team code (conversations.team_models.TEAMS) for a new handoff."""
    if reason in BY_REASON:
        return BY_REASON[HandoffReason(reason)]
    topic = intent or ""
    if topic in COMPLAINT_INTENTS:
        return COMPLAINTS
    if topic in RETENTION_INTENTS:
        return RETENTION
    if topic in CARD_INTENTS or "card" in topic:
        return CARDS
    return GENERAL
