"""Block, freeze or unfreeze a card: choose the card, confirm, then the customer API acts.

The validation action gates the form: an anonymous customer is asked nothing (the submit
action explains how to verify), and a customer without a suitable card is told so at once.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cards import fetch_cards, resolve
from actions.forms_common import STOP, reset_form_slots
from actions.identity import identity_of, verified_customer
from actions.other_asks import offer_other_ask
from connectors import platform_api
from core.card_states import eligible
from core.logs import conversation_id
from core.wording import card_button

FORM_SLOTS = ("card_last4", "card_confirmed")
RESULT_RESPONSE = {
    "block": "utter_card_blocked",
    "freeze": "utter_card_frozen",
    "unfreeze": "utter_card_unfrozen",
}


class ValidateCardForm(Action):
    """Resolves the card the customer named (or the only possible one) to its id."""

    def name(self) -> str:
        return "validate_card_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = identity_of(tracker)
        if not who.known:
            return STOP
        recent = {k: v for k, v in tracker.slots_to_validate().items() if k in FORM_SLOTS}
        events = [SlotSet(k, v) for k, v in recent.items() if k != "card_last4"]
        if tracker.get_slot("card_id") is not None and "card_last4" not in recent:
            return events
        try:
            cards = await fetch_cards(who, tracker.sender_id)
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return [*STOP, SlotSet("form_aborted", True)]
        cards = eligible(cards, tracker.get_slot("card_operation"))
        if not cards:
            dispatcher.utter_message(response="utter_no_eligible_card")
            return [*STOP, SlotSet("form_aborted", True)]
        if "card_last4" in recent:
            card = resolve(recent["card_last4"], cards)
            if card is None:
                dispatcher.utter_message(response="utter_card_not_found")
                return [*events, SlotSet("card_last4", None)]
        elif len(cards) == 1:
            card = cards[0]
        else:
            return events  # several cards: the form asks which one
        return [
            *events,
            SlotSet("card_last4", str(card.get("last4"))),
            SlotSet("card_id", card["id"]),
        ]


class ActionAskCardLast4(Action):
    """Asks which card, with one button per card the operation can apply to."""

    def name(self) -> str:
        return "action_ask_card_last4"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        # The validation ends the form first for anyone unverified; never ask about cards anyway.
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return []
        try:
            cards = await fetch_cards(who, tracker.sender_id)
            buttons = [card_button(c) for c in eligible(cards, tracker.get_slot("card_operation"))]
        except platform_api.ERRORS:
            buttons = []
        dispatcher.utter_message(response="utter_ask_card_last4", buttons=buttons)
        return []


class ActionSubmitCardForm(Action):
    """Carries out the confirmed operation and tells the customer the API's result."""

    def name(self) -> str:
        return "action_submit_card_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        reset = reset_form_slots()
        operation = tracker.get_slot("card_operation") or "block"
        tell = ("utter_verify_identity",)
        if operation in ("block", "freeze"):  # anyone may still stop a card by phone
            tell += ("utter_card_hotline",)
        who = verified_customer(tracker, dispatcher, tell)
        if who is None:
            return reset
        if tracker.get_slot("form_aborted"):
            return reset
        last4 = tracker.get_slot("card_last4")
        card_id = tracker.get_slot("card_id")
        if tracker.get_slot("card_confirmed") is not True or card_id is None:
            dispatcher.utter_message(response="utter_card_operation_cancelled")
            return reset
        try:
            await platform_api.post(
                f"customers/{who.customer_id}/cards/{card_id}/{operation}", {}, tracker.sender_id
            )
        except (platform_api.PlatformRejected, platform_api.PlatformNotFound):
            dispatcher.utter_message(response="utter_card_operation_refused", card_last4=last4)
            return reset
        except platform_api.PlatformUnavailable:
            dispatcher.utter_message(response="utter_service_unavailable")
            return reset
        dispatcher.utter_message(response=RESULT_RESPONSE[operation], card_last4=last4)
        return [*reset, *offer_other_ask(dispatcher, tracker)]
