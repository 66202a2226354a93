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

from actions import crm_client
from actions.identity import Identity, verified_customer
from actions.replies import latest_intent, money, utter_first
from crm.logs import conversation_id

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
    if isinstance(body, dict):
        body = body.get("offers") or body.get("items") or []
    return [o for o in body or [] if isinstance(o, dict) and o.get("code")]


def pick(offers: list[dict[str, Any]], categories: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The top-ranked offer, or the best one in the categories the customer asked about
    (in their order of relevance); None when none of those is eligible."""
    for category in categories:
        for offer in offers:
            if category in (offer.get("category"), offer.get("product_category")):
                return offer
    return None if categories or not offers else offers[0]


def figures_for_response(figures: dict[str, Any]) -> dict[str, str]:
    """Numbers as the customer reads them: amounts with two decimals, everything else as is."""
    values: dict[str, str] = {}
    for key, value in (figures or {}).items():
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        values[key] = money(value) if is_number and not isinstance(value, int) else str(value)
    return values


def utter_offer(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], offer: dict[str, Any]
) -> None:
    name = offer.get("name") or offer.get("title") or offer["code"]
    utter_first(
        dispatcher, domain, [f"utter_offer_{str(offer['code']).lower()}", "utter_offer_intro"],
        offer_name=name,
    )  # fmt: skip
    for reason in offer.get("reasons") or []:
        sent = utter_first(
            dispatcher,
            domain,
            [f"utter_offer_reason_{reason.get('code')}"],
            **figures_for_response(reason.get("figures") or {}),
        )
        if sent:
            return
    dispatcher.utter_message(response="utter_offer_reason_generic")


async def record_outcome(presentation_id: Any, outcome: str, sender: str) -> None:
    """Closing the loop must never break the chat: a failure is logged, not shown."""
    if presentation_id is None:
        return
    try:
        await crm_client.post(
            f"offer-presentations/{presentation_id}/outcome", {"outcome": outcome}, sender
        )
    except crm_client.ERRORS as exc:
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
        await crm_client.get(
            f"customers/{who.customer_id}/offers",
            tracker.sender_id,
            context=context,
            channel=who.channel or "app",
            limit=OFFERS_CONSIDERED,
            category=list(categories),
        )
    )
    offer = pick(offers, categories)
    if offer is None:
        return None
    presentation = await crm_client.post(
        f"customers/{who.customer_id}/offer-presentations",
        {
            "offer_code": offer["code"],
            "context": context,
            "channel": who.channel or "app",
            "presented_by": "assistant",
            "conversation_id": tracker.sender_id,
        },
        tracker.sender_id,
    )
    utter_offer(dispatcher, domain, offer)
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
        except crm_client.ERRORS:
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
