"""After the general answer to a BANKING77 topic: the customer's own data, when it helps.

A verified customer asking about a late card hears their cards' status; one asking about a
pending transfer hears what is pending on their account, and so on. An anonymous customer
hears how to verify instead. Fee complaints also go through retention (actions.retention).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import crm_client
from actions.cards import fetch_cards, utter_expiry, utter_statuses
from actions.identity import Identity, verified_customer
from actions.replies import latest_intent
from actions.retention import fee_complaint
from actions.transactions import (
    RECENT_LIMIT,
    SCAN_LIMIT,
    fetch_transactions,
    is_fee,
    is_pending,
    utter_lines,
)
from crm.logs import conversation_id

CARDS, EXPIRY, PENDING, RECENT, FEES = "cards", "expiry", "pending", "recent", "fees"

# Which of the customer's data answers each topic's personal side.
PERSONAL_TOPICS: dict[str, str] = {
    "card_arrival": CARDS,
    "card_delivery_estimate": CARDS,
    "activate_my_card": CARDS,
    "card_not_working": CARDS,
    "declined_card_payment": CARDS,
    "declined_cash_withdrawal": CARDS,
    "contactless_not_working": CARDS,
    "virtual_card_not_working": CARDS,
    "pin_blocked": CARDS,
    "card_linking": CARDS,
    "card_about_to_expire": EXPIRY,
    "pending_transfer": PENDING,
    "pending_card_payment": PENDING,
    "pending_cash_withdrawal": PENDING,
    "pending_top_up": PENDING,
    "balance_not_updated_after_bank_transfer": PENDING,
    "balance_not_updated_after_cheque_or_cash_deposit": PENDING,
    "transfer_not_received_by_recipient": PENDING,
    "cancel_transfer": PENDING,
    "Refund_not_showing_up": RECENT,
    "transaction_charged_twice": RECENT,
    "reverted_card_payment?": RECENT,
    "top_up_reverted": RECENT,
    "top_up_failed": RECENT,
    "failed_transfer": RECENT,
    "declined_transfer": RECENT,
    "wrong_amount_of_cash_received": RECENT,
    "verify_source_of_funds": RECENT,
    "card_payment_fee_charged": FEES,
    "cash_withdrawal_charge": FEES,
    "transfer_fee_charged": FEES,
    "extra_charge_on_statement": FEES,
}

# Topics that are complaints about fees: they raise churn risk (retention).
FEE_COMPLAINTS = frozenset(
    {
        "card_payment_fee_charged",
        "cash_withdrawal_charge",
        "transfer_fee_charged",
        "extra_charge_on_statement",
    }
)


async def tell_personal_side(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], who: Identity, sender: str, kind: str
) -> None:
    if kind in (CARDS, EXPIRY):
        cards = await fetch_cards(who, sender)
        if kind == CARDS:
            utter_statuses(dispatcher, domain, cards)
        else:
            utter_expiry(dispatcher, cards)
        return
    rows = await fetch_transactions(who, sender, RECENT_LIMIT if kind == RECENT else SCAN_LIMIT)
    if kind == PENDING:
        utter_lines(
            dispatcher,
            [r for r in rows if is_pending(r)],
            "utter_pending_intro",
            "utter_pending_line",
            "utter_no_pending",
        )
    elif kind == FEES:
        utter_lines(
            dispatcher,
            [r for r in rows if is_fee(r)],
            "utter_fees_intro",
            "utter_transaction_line",
            "utter_no_fees",
        )
    else:
        utter_lines(
            dispatcher,
            rows,
            "utter_transactions_intro",
            "utter_transaction_line",
            "utter_no_transactions",
        )


class ActionTopicFollowup(Action):
    """Runs after every topic answer; says nothing for topics with no personal side."""

    def name(self) -> str:
        return "action_topic_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        intent = latest_intent(tracker) or ""
        kind = PERSONAL_TOPICS.get(intent)
        if kind is None:
            return []
        who = verified_customer(tracker, dispatcher, ("utter_verify_for_details",))
        if who is None:
            return []
        try:
            await tell_personal_side(dispatcher, domain, who, tracker.sender_id, kind)
        except crm_client.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if intent in FEE_COMPLAINTS:
            return await fee_complaint(dispatcher, tracker, domain, who)
        return []
