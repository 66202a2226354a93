"""Several asks in one message: after the main request is done, offer the other one.

The NLU pipeline marks a message's other asks (`other_asks` in its parse data: intent and
the customer's own words). The action that finishes a request calls `offer_other_ask`: it
looks back over the last few customer messages for one with an ask not yet offered, and
offers it in the customer's words with a button that starts it ("You also asked: “tell me
if anything was taken”. Shall I help with that now?"). Each message's asks are offered once.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.pii import mask_pii

OFFERED_SLOT = "other_ask_offered"  # the message_id whose other ask was offered
LOOK_BACK = 6  # customer messages: a card form takes three or four


def pending_other_ask(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """(message id, ask) of the latest recent message with an ask not offered yet."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        seen += 1
        if seen > LOOK_BACK:
            return None
        asks = (event.get("parse_data") or {}).get("other_asks") or []
        if asks:
            message_id = str(event.get("message_id") or event.get("timestamp"))
            if message_id == tracker.get_slot(OFFERED_SLOT):
                return None
            return message_id, asks[0]
    return None


def offer_other_ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Offer the other ask of a recent message (once); the slot events."""
    pending = pending_other_ask(tracker)
    if pending is None:
        return []
    message_id, ask = pending
    dispatcher.utter_message(
        response="utter_offer_other_ask",
        ask=mask_pii(str(ask.get("text") or "")),
        other_intent=str(ask.get("name")),
    )
    return [SlotSet(OFFERED_SLOT, message_id)]
