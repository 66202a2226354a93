"""Complaint: category and description, confirmed, then a reference number and a due date.

A complaint about fees is also a churn signal: after the reference, the customer hears the
retention offer and can talk to a colleague (see actions.retention).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import crm_client
from actions.forms_common import STOP, reset_form_slots
from actions.identity import identity_of
from actions.replies import day
from actions.retention import fee_complaint
from crm.logs import conversation_id

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
        who = identity_of(tracker)
        if not who.known:
            dispatcher.utter_message(response="utter_verify_identity")
            return reset
        if tracker.get_slot("complaint_confirmed") is not True:
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return reset
        category = tracker.get_slot("complaint_category") or "other"
        try:
            complaint = await crm_client.post(
                f"customers/{who.customer_id}/complaints",
                {
                    "category": category,
                    "description": tracker.get_slot("complaint_description") or "",
                    "channel": who.channel or "app",
                },
                tracker.sender_id,
            )
        except (crm_client.CrmUnavailable, crm_client.CrmRejected, crm_client.CrmNotFound):
            dispatcher.utter_message(response="utter_service_unavailable")
            return reset
        dispatcher.utter_message(
            response="utter_complaint_created",
            reference=complaint.get("reference"),
            sla_due=day(complaint.get("sla_due")),
        )
        events = [*reset, SlotSet("handoff_reason", "complaint")]
        if category == "fees":
            events += await fee_complaint(dispatcher, tracker, domain, who)
        return events
