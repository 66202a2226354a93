"""Human handoff: create it in the platform with reason, priority and summary, then pause.

Rasa does not predict for a paused conversation, so the bot stays silent until an agent
hands the conversation back from the console. If the handoff cannot be created the
customer gets an apology and the bot carries on (not paused).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.forms_common import reset_form_slots
from actions.identity import identity_of
from actions.offers import OFFER_QUESTIONS, record_outcome
from connectors import platform_api
from core.logs import conversation_id
from core.vocabulary import Channel

log = logging.getLogger(__name__)

PRIORITY = {
    "retention": "high",
    "complaint": "high",
    "fallback": "normal",
    "customer_request": "normal",
}
WHY = {
    "customer_request": "Customer asked for a person.",
    "fallback": "The assistant did not understand the customer twice in a row.",
    "retention": "Churn risk: the customer wants to close the account or complained about fees.",
    "complaint": "Customer with an open complaint or dispute asked for a person.",
}
SUMMARY_MAX = 500
RECENT_TURNS = 3
TWO_STAGE_FALLBACK = "action_two_stage_fallback"


def intent_of(user_event: dict[str, Any]) -> str:
    return ((user_event.get("parse_data") or {}).get("intent") or {}).get("name") or "?"


def summary(tracker: Tracker, reason: str) -> str:
    """Agent-facing: why, what the customer talked about, and any offer on the table."""
    turns = [e for e in tracker.events if e.get("event") == "user" and e.get("text")]
    said = " | ".join(f"[{intent_of(t)}] {t['text'][:120]}" for t in turns[-RECENT_TURNS:])
    parts = [WHY[reason]]
    if tracker.get_slot("offer_code"):
        parts.append(f"Offer presented: {tracker.get_slot('offer_code')}.")
    if said:
        parts.append(f"Last messages: {said}")
    return " ".join(parts)[:SUMMARY_MAX]


# Intents that say nothing about the customer's topic (the platform routes by the topic).
NOT_A_TOPIC = frozenset(
    {
        "human_handoff",
        "affirm",
        "deny",
        "greet",
        "goodbye",
        "thanks",
        "inform",
        "bot_challenge",
        "out_of_scope",
        "nlu_fallback",
        "?",
    }
)


def topic_intent(tracker: Tracker) -> str | None:
    """The customer's last topical intent (card, complaint, closing ...), for routing."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and intent_of(event) not in NOT_A_TOPIC:
            return intent_of(event)
    return None


def reason_of(tracker: Tracker) -> str:
    if tracker.get_slot("pending_question") in ("retention_offer", "fee_offer"):
        return "retention"
    return tracker.get_slot("handoff_reason") or "customer_request"


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[dict[str, Any]]:
    """Create the handoff; the events to return (paused on success)."""
    who = identity_of(tracker)
    if tracker.get_slot("pending_question") in OFFER_QUESTIONS:
        await record_outcome(
            tracker.get_slot("offer_presentation_id"), "ignored", tracker.sender_id
        )
    cleared = [
        SlotSet("pending_question", None),
        SlotSet("offer_presentation_id", None),
        SlotSet("offer_code", None),
        SlotSet("handoff_reason", None),
        *reset_form_slots(),
    ]
    body = {
        "conversation_id": tracker.sender_id,
        "customer_id": who.customer_id if who.known else None,
        "channel": who.channel or tracker.get_latest_input_channel() or Channel.APP,
        "reason": reason,
        "priority": PRIORITY[reason],
        "summary": summary(tracker, reason),
        "intent": topic_intent(tracker),  # with the reason, picks the team (platform routing)
    }
    try:
        # The platform answers a repeat with the conversation's open handoff.
        handoff = await platform_api.post("handoffs", body, tracker.sender_id, idempotent=True)
    except platform_api.ERRORS as exc:
        log.warning("handoff (%s) not created: %s", reason, exc.__class__.__name__)
        dispatcher.utter_message(response="utter_handoff_failed")
        return cleared
    log.info("handoff %s created (%s, %s)", handoff.get("id"), reason, body["priority"])
    dispatcher.utter_message(response="utter_handoff_created")
    return [*cleared, ConversationPaused()]


class ActionHandoff(Action):
    """On request, for retention, or after a complaint: a person takes over."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        return await hand_over(dispatcher, tracker, reason_of(tracker))


class ActionDefaultFallback(Action):
    """Replaces Rasa's default fallback.

    Called by the two-stage fallback when the customer was not understood twice in a row:
    a colleague takes over. Called by the dialogue policies when unsure: plain apology.
    """

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        if (tracker.active_loop or {}).get("name") == TWO_STAGE_FALLBACK:
            dispatcher.utter_message(response="utter_handoff_intro_fallback")
            return await hand_over(dispatcher, tracker, "fallback")
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
