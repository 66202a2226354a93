"""What the three forms share: ending a form early, forgetting its answers afterwards, and
(disputes and complaints) filing the case with the customer API."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import Identity
from connectors import platform_api
from core.wording import day

# Setting requested_slot to None from a validation action ends the form at once.
STOP = [SlotSet("requested_slot", None)]

FORM_SLOTS = (
    "card_last4",
    "card_id",
    "card_confirmed",
    "dispute_transaction",
    "dispute_summary",
    "dispute_description",
    "dispute_confirmed",
    "complaint_category",
    "complaint_description",
    "complaint_confirmed",
    "form_aborted",
)


def reset_form_slots() -> list[dict[str, Any]]:
    """A finished or abandoned form must not pre-fill the next one with stale answers."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionCancelForm(Action):
    """The customer stopped a form: forget its answers and confirm nothing was changed."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_form_cancelled")
        return reset_form_slots()


def turn_key(tracker: Tracker) -> str | None:
    """The channel's id of the customer message being answered (app:12:m-7, telegram:…)."""
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return (latest or {}).get("message_id")


async def file_case(
    dispatcher: CollectingDispatcher,
    who: Identity,
    sender: str,
    category: str,
    description: str,
    created_response: str,
    request_key: str | None = None,
) -> bool:
    """Register a complaint (a dispute is one of category "dispute") and tell the customer its
    reference and due date, or apologise; True when it was filed."""
    body = {"category": category, "description": description, "channel": who.via}
    if request_key:  # the message that confirmed it: a retried turn files it once
        body["request_key"] = request_key
    try:
        case = await platform_api.post(f"customers/{who.customer_id}/complaints", body, sender)
    except platform_api.ERRORS:
        dispatcher.utter_message(response="utter_service_unavailable")
        return False
    dispatcher.utter_message(
        response=created_response, reference=case.get("reference"), sla_due=day(case.get("sla_due"))
    )
    return True
