"""Next-best offers in the chat, and the closed loop: what was shown and what the customer said.

The customer API ranks the offers and explains each with reasons; every reason has a
machine code and figures. The customer hears a domain response chosen by that code
(`utter_offer_reason_<code>`, filled with the figures), never the agent-facing English text.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import Identity, verified_customer
from actions.replies import latest_intent, say_all
from connectors import platform_api
from core.logs import conversation_id
from core.wording import offer_replies

log = logging.getLogger(__name__)

OFFER_QUESTIONS = ("product_offer", "retention_offer", "fee_offer")

# Product questions and the offer categories that answer them. A customer asking about
# credit cards hears a credit card offer or none: an unrelated offer is noise, and it would
# spend the weekly contact allowance. A general product question may hear any offer.
PRODUCT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "product_credit_card": ("credit_card",),
    "product_deposit": ("deposit", "wealth"),
    "product_wealth": ("wealth", "deposit"),
    "product_loan": ("loan",),
    "product_insurance": ("insurance",),
}
OFFERS_CONSIDERED = 10  # the API's maximum; only the asked categories are ranked


def offer_list(body: Any) -> list[dict[str, Any]]:
    """The ranked offers of the API's answer (`OffersOut.offers`)."""
    offers = body.get("offers") if isinstance(body, dict) else None
    return [o for o in offers or [] if isinstance(o, dict) and o.get("code")]


def pick(offers: list[dict[str, Any]], categories: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The top-ranked offer, or the best one in the categories the customer asked about
    (in their order of relevance); None when none of those is eligible."""
    for category in categories:
        for offer in offers:
            if offer.get("category") == category:
                return offer
    return None if categories or not offers else offers[0]


def utter_offer(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], offer: dict[str, Any], language: str
) -> None:
    say_all(dispatcher, domain, offer_replies(offer, language))


async def record_outcome(presentation_id: Any, outcome: str, sender: str) -> None:
    """Closing the loop must never break the chat: a failure is logged, not shown."""
    if presentation_id is None:
        return
    try:
        await platform_api.post(
            f"offer-presentations/{presentation_id}/outcome", {"outcome": outcome}, sender
        )
    except platform_api.ERRORS as exc:
        log.warning("offer outcome %s not recorded: %s", outcome, exc.__class__.__name__)


async def present_offer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: dict[str, Any],
    who: Identity,
    context: str,
    categories: tuple[str, ...] = (),
) -> list[dict[str, Any]] | None:
    """Shows the customer's best offer for `context` and records it; the slot events, or None.

    Raises the client's errors when the offers cannot be read; callers decide what to say.
    """
    await record_outcome(tracker.get_slot("offer_presentation_id"), "ignored", tracker.sender_id)
    offers = offer_list(
        await platform_api.get(
            f"customers/{who.customer_id}/offers",
            tracker.sender_id,
            context=context,
            channel=who.via,
            limit=OFFERS_CONSIDERED,
            category=list(categories),
        )
    )
    offer = pick(offers, categories)
    if offer is None:
        return None
    presentation = await platform_api.post(
        f"customers/{who.customer_id}/offer-presentations",
        {
            "offer_code": offer["code"],
            "context": context,
            "channel": who.via,
            "presented_by": "assistant",
            "conversation_id": tracker.sender_id,
        },
        tracker.sender_id,
    )
    utter_offer(dispatcher, domain, offer, tracker.get_slot("language"))
    return [
        SlotSet("offer_presentation_id", presentation.get("id")),
        SlotSet("offer_code", offer["code"]),
    ]


class ActionPresentOffer(Action):
    """After a product answer: the verified customer's next-best offer and its reason."""

    def name(self) -> str:
        return "action_present_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = verified_customer(tracker, dispatcher, ("utter_verify_for_offers",))
        if who is None:
            return []
        categories = PRODUCT_CATEGORIES.get(latest_intent(tracker) or "", ())
        try:
            events = await present_offer(dispatcher, tracker, domain, who, "chat", categories)
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if events is None:
            return []
        dispatcher.utter_message(response="utter_offer_question")
        return [*events, SlotSet("pending_question", "product_offer")]


class ActionOfferOutcome(Action):
    """Records the customer's yes (accepted) or no (declined) and closes the open question."""

    def name(self) -> str:
        return "action_offer_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        question = tracker.get_slot("pending_question")
        accepted = latest_intent(tracker) == "affirm"
        if question in OFFER_QUESTIONS:
            await record_outcome(
                tracker.get_slot("offer_presentation_id"),
                "accepted" if accepted else "declined",
                tracker.sender_id,
            )
        events = [
            SlotSet("pending_question", None),
            SlotSet("offer_presentation_id", None),
            SlotSet("offer_code", None),
        ]
        if question == "retention_offer" and not accepted:
            return [*events, SlotSet("handoff_reason", "retention")]
        if accepted or question == "handoff_offer":
            return [*events, SlotSet("handoff_reason", None)]
        return events
