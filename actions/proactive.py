"""Proactive marketing in the chat: the assistant speaks first, and "stop" in any turn.

`action_proactive_offer` is run by the platform's proactive sender (Rasa's execute endpoint,
admin token), never predicted by a rule or story: no customer message can start it. It asks
the platform which message is under way for the conversation's customer and says it with
the offer wording of the chat (the offer, its reason, the yes/no question, and a stop
button), leaving `pending_question` at product_offer so the answer takes the ordinary offer
path of offers.yml and lands in the closed loop.

`action_opt_out_marketing` withdraws marketing consent on every channel and stops every
planned contact (verified customers only).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import verified_customer
from actions.offers import OFFER_QUESTIONS, record_outcome, utter_offer
from connectors import platform_api
from core.logs import conversation_id
from core.senders import customer_id_of

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def voiceable(offer: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    """The offer with only the reasons whose response the figures fill completely (a reason
    of a new event kind, or with other figures, falls back to the generic one: the customer
    never reads a raw placeholder)."""
    responses = domain.get("responses") or {}
    kept = []
    for reason in offer.get("reasons") or []:
        variations = responses.get(f"utter_offer_reason_{reason.get('code')}") or []
        needed = {n for v in variations for n in PLACEHOLDER.findall(v.get("text") or "")}
        if variations and needed <= set((reason.get("figures") or {}).keys()):
            kept.append(reason)
    return {**offer, "reasons": kept}


class ActionProactiveOffer(Action):
    """The bank's first word: the proactive message under way for this customer."""

    def name(self) -> str:
        return "action_proactive_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        customer = customer_id_of(tracker.sender_id)  # only verified channels use this form
        if customer is None:
            return []
        try:
            message = await platform_api.get(
                f"customers/{customer}/proactive-message", tracker.sender_id
            )
        except platform_api.ERRORS as exc:
            log.warning("no proactive message to say: %s", exc.__class__.__name__)
            return []
        offer = (message or {}).get("offer") or {}
        if not offer.get("code"):
            return []
        # An offer still open from earlier in the chat is superseded by this one.
        await record_outcome(
            tracker.get_slot("offer_presentation_id"), "ignored", tracker.sender_id
        )
        dispatcher.utter_message(response="utter_proactive_hello")
        utter_offer(dispatcher, domain, voiceable(offer, domain), tracker.get_slot("language"))
        dispatcher.utter_message(response="utter_proactive_question")
        return [
            SlotSet("pending_question", "product_offer"),
            SlotSet("offer_presentation_id", message.get("presentation_id")),
            SlotSet("offer_code", offer["code"]),
            # The customer's next message answers this, as after any bot turn.
            ActionExecuted("action_listen"),
        ]


class ActionOptOutMarketing(Action):
    """ "Stop sending me offers": no marketing on any channel from now on."""

    def name(self) -> str:
        return "action_opt_out_marketing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return []
        try:
            await platform_api.post(
                f"customers/{who.customer_id}/marketing-opt-out",
                {"source": "chat"},
                tracker.sender_id,
            )
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if tracker.get_slot("pending_question") in OFFER_QUESTIONS:
            await record_outcome(
                tracker.get_slot("offer_presentation_id"), "declined", tracker.sender_id
            )
        dispatcher.utter_message(response="utter_opted_out_marketing")
        return [
            SlotSet("pending_question", None),
            SlotSet("offer_presentation_id", None),
            SlotSet("offer_code", None),
        ]
