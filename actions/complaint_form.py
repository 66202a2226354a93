"""Complaint: category and description, confirmed, then a reference number and a due date.

A complaint about fees is also a churn signal: after the reference, the customer hears the
retention offer and can talk to a colleague (see actions.retention).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms_common import STOP, file_case, reset_form_slots
from actions.identity import identity_of, verified_customer
from actions.retention import fee_complaint
from core.logs import conversation_id

FORM_SLOTS = ("complaint_category", "complaint_description", "complaint_confirmed")
CATEGORIES = ("fees", "cards", "payments", "service", "digital", "other")


class ValidateComplaintForm(Action):
    """Only verified customers file complaints here; categories come from the buttons."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not identity_of(tracker).known:
            return STOP
        recent = {k: v for k, v in tracker.slots_to_validate().items() if k in FORM_SLOTS}
        if "complaint_category" in recent and recent["complaint_category"] not in CATEGORIES:
            recent["complaint_category"] = None
        return [SlotSet(k, v) for k, v in recent.items()]


class ActionSubmitComplaint(Action):
    """Registers the confirmed complaint and tells the customer its reference and due date."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        reset = reset_form_slots()
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return reset
        if tracker.get_slot("complaint_confirmed") is not True:
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return reset
        category = tracker.get_slot("complaint_category") or "other"
        description = tracker.get_slot("complaint_description") or ""
        filed = await file_case(
            dispatcher, who, tracker.sender_id, category, description, "utter_complaint_created"
        )
        if not filed:
            return reset
        events = [*reset, SlotSet("handoff_reason", "complaint")]
        if category == "fees":
            events += await fee_complaint(dispatcher, tracker, domain, who)
        return events
