"""Retention: closing the account and fee complaints raise the customer's churn risk.

The assistant records the signal, presents the retention offer and offers a colleague. The
follow-up ("yes", "no", "talk to a person") is handled by rules on slot pending_question.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import Identity, verified_customer
from actions.offers import present_offer
from connectors import platform_api
from core.logs import conversation_id

log = logging.getLogger(__name__)


async def record_churn_signal(who: Identity, signal: str, sender: str) -> None:
    """A lost signal must not cost the customer their answer: failures are only logged."""
    try:
        await platform_api.post(
            f"customers/{who.customer_id}/churn-signals",
            {"signal": signal, "channel": who.via, "conversation_id": sender},
            sender,
        )
    except platform_api.ERRORS as exc:
        log.warning("churn signal %s not recorded: %s", signal, exc.__class__.__name__)


async def retention_offer(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], who: Identity
) -> list[dict[str, Any]] | None:
    """The retention offer's slot events, or None when there is none (or it can't be read)."""
    try:
        return await present_offer(dispatcher, tracker, domain, who, "retention")
    except platform_api.ERRORS:
        return None


async def fee_complaint(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], who: Identity
) -> list[dict[str, Any]]:
    """Acknowledge a verified customer's fee complaint, record it, offer retention and a person."""
    await record_churn_signal(who, "fee_complaint", tracker.sender_id)
    dispatcher.utter_message(response="utter_fee_complaint_acknowledge")
    events = await retention_offer(dispatcher, tracker, domain, who)
    if events is None:
        dispatcher.utter_message(response="utter_fee_human_question")
        return [
            SlotSet("pending_question", "handoff_offer"),
            SlotSet("handoff_reason", "retention"),
        ]
    dispatcher.utter_message(response="utter_fee_offer_question")
    return [
        *events,
        SlotSet("pending_question", "fee_offer"),
        SlotSet("handoff_reason", "retention"),
    ]


class ActionRetention(Action):
    """The customer wants to close the account (after utter_retention_acknowledge)."""

    def name(self) -> str:
        return "action_retention"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        tell = ("utter_topic_terminate_account", "utter_verify_identity")
        who = verified_customer(tracker, dispatcher, tell)
        if who is None:
            return []
        await record_churn_signal(who, "wish_to_close", tracker.sender_id)
        events = await retention_offer(dispatcher, tracker, domain, who)
        if events is None:
            dispatcher.utter_message(response="utter_retention_human_question")
            return [
                SlotSet("pending_question", "handoff_offer"),
                SlotSet("handoff_reason", "retention"),
            ]
        dispatcher.utter_message(response="utter_retention_offer_question")
        return [
            *events,
            SlotSet("pending_question", "retention_offer"),
            SlotSet("handoff_reason", "retention"),
        ]
