"""Dispute a transaction: choose the payment, say what is wrong, confirm, get a case reference.

A dispute is filed as a complaint of category "dispute" in the customer API, so it gets a
reference number and a due date like every complaint, and lands in the same queue.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms_common import STOP, file_case, reset_form_slots, turn_key
from actions.identity import identity_of, verified_customer
from actions.transactions import SCAN_LIMIT, fetch_transactions
from connectors import platform_api
from core.logs import conversation_id
from core.wording import transaction_values

FORM_SLOTS = ("dispute_transaction", "dispute_description", "dispute_confirmed")
CHOICES = 6  # payments offered as buttons
DISPUTE_CATEGORY = "dispute"


def disputable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Money that left the account: card payments, withdrawals, debits and fees."""
    return [r for r in rows if str(r.get("amount", "0")).startswith("-")]


def summary(row: dict[str, Any]) -> str:
    """The payment as data only (date, merchant, amount), for buttons and the confirmation."""
    values = transaction_values(row)
    return f"{values['date']} · {values['description']} · {values['amount']} {values['currency']}"


class ValidateDisputeForm(Action):
    """Checks the chosen payment is one of the customer's own, and remembers how to name it."""

    def name(self) -> str:
        return "validate_dispute_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = identity_of(tracker)
        if not who.known:
            return STOP
        recent = {k: v for k, v in tracker.slots_to_validate().items() if k in FORM_SLOTS}
        events = [SlotSet(k, v) for k, v in recent.items() if k != "dispute_transaction"]
        if tracker.get_slot("dispute_summary") and "dispute_transaction" not in recent:
            return events
        try:
            rows = disputable(await fetch_transactions(who, tracker.sender_id, SCAN_LIMIT))
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return [*STOP, SlotSet("form_aborted", True)]
        if not rows:
            dispatcher.utter_message(response="utter_no_transactions_to_dispute")
            return [*STOP, SlotSet("form_aborted", True)]
        if "dispute_transaction" not in recent:
            return events
        chosen = next(
            (r for r in rows if str(r.get("id")) == str(recent["dispute_transaction"])), None
        )
        if chosen is None:
            dispatcher.utter_message(response="utter_transaction_not_found")
            return [*events, SlotSet("dispute_transaction", None)]
        return [
            *events,
            SlotSet("dispute_transaction", str(chosen["id"])),
            SlotSet("dispute_summary", summary(chosen)),
        ]


class ActionAskDisputeTransaction(Action):
    """Offers the customer's latest outgoing payments as buttons."""

    def name(self) -> str:
        return "action_ask_dispute_transaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        # The validation ends the form first for anyone unverified; never list payments anyway.
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return []
        try:
            rows = disputable(await fetch_transactions(who, tracker.sender_id, SCAN_LIMIT))
        except platform_api.ERRORS:
            rows = []
        buttons = [
            {"title": summary(r), "payload": f'/inform{{"transaction":"{r["id"]}"}}'}
            for r in rows[:CHOICES]
        ]
        dispatcher.utter_message(response="utter_ask_dispute_transaction", buttons=buttons)
        return []


class ActionSubmitDispute(Action):
    """Files the confirmed dispute and gives the customer its reference and due date."""

    def name(self) -> str:
        return "action_submit_dispute"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        reset = reset_form_slots()
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return reset
        if tracker.get_slot("form_aborted"):
            return reset
        if tracker.get_slot("dispute_confirmed") is not True:
            dispatcher.utter_message(response="utter_dispute_cancelled")
            return reset
        description = (
            f"Disputed transaction {tracker.get_slot('dispute_transaction')} "
            f"({tracker.get_slot('dispute_summary')}). "
            f"Customer's words: {tracker.get_slot('dispute_description')}"
        )
        filed = await file_case(
            dispatcher, who, tracker.sender_id, DISPUTE_CATEGORY, description,
            "utter_dispute_created", turn_key(tracker),
        )  # fmt: skip
        return [*reset, SlotSet("handoff_reason", "complaint")] if filed else reset
