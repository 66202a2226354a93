"""Complaint: category and description, confirmed, then a reference number and a due date.

A complaint about fees is also a churn signal: after the reference, the customer hears the
retention offer and can talk to a colleague (see actions.retention).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms_common import STOP, file_case, reset_form_slots, turn_key
from actions.identity import identity_of, verified_customer
from actions.retention import fee_complaint
from core.logs import conversation_id
from core.wording import CARDS, EXPIRY, FEES, PENDING, PERSONAL_TOPICS, RECENT

FORM_SLOTS = ("complaint_category", "complaint_description", "complaint_confirmed")
CATEGORIES = ("fees", "cards", "payments", "service", "digital", "other")
# What a complaint described in the customer's own words is about, by what it was understood
# as (its topic's kind), when it names no category itself.
CATEGORY_OF_KIND = {FEES: "fees", CARDS: "cards", EXPIRY: "cards", PENDING: "payments",
                    RECENT: "payments"}  # fmt: skip
DIGITAL_TOPICS = frozenset(
    {"passcode_forgotten", "lost_or_stolen_phone", "apple_pay_or_google_pay"}
)
# Answers the form's rules handle themselves (stop, a person, small talk, a balance question).
NOT_A_DESCRIPTION = frozenset({"deny", "human_handoff", "affirm", "greet", "goodbye", "thanks",
                               "bot_challenge", "check_balance", "out_of_scope"})  # fmt: skip
QUESTION_ENDINGS = ("?", "？", "吗", "么", "呢")
MIN_DESCRIPTION_CHARS = 15


def described_complaint(message: dict[str, Any]) -> tuple[str, str] | None:
    """(category, description) when the customer, asked for a category, described the
    problem instead: a statement, not a question, long enough to be a description."""
    text = (message.get("text") or "").strip()
    intent = (message.get("intent") or {}).get("name") or ""
    if (
        len(text) < MIN_DESCRIPTION_CHARS
        or text.startswith("/")
        or text.endswith(QUESTION_ENDINGS)
        or intent in NOT_A_DESCRIPTION
    ):
        return None
    named = [
        e.get("value")
        for e in message.get("entities") or []
        if e.get("entity") == "complaint_category" and e.get("value") in CATEGORIES
    ]
    if named:
        return named[0], text
    if intent in DIGITAL_TOPICS:
        return "digital", text
    return CATEGORY_OF_KIND.get(PERSONAL_TOPICS.get(intent, ""), "other"), text


class ValidateComplaintForm(Action):
    """Only verified customers file complaints here. A category comes from the buttons, or,
    when the customer describes the problem instead, from the description, which is kept
    (the form then asks only for the confirmation)."""

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
        asked = tracker.get_slot("requested_slot")
        if asked == "complaint_category" and not recent.get("complaint_category"):
            described = described_complaint(tracker.latest_message or {})
            if described:
                recent["complaint_category"], recent["complaint_description"] = described
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
            dispatcher, who, tracker.sender_id, category, description, "utter_complaint_created",
            turn_key(tracker),
        )  # fmt: skip
        if not filed:
            return reset
        events = [*reset, SlotSet("handoff_reason", "complaint")]
        if category == "fees":
            events += await fee_complaint(dispatcher, tracker, domain, who)
        return events
