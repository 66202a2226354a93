"""The customer's cards: which ones an operation may change, and how their status is told."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions import crm_client
from actions.identity import Identity
from actions.replies import day, utter_first

# Which card statuses each operation starts from (the customer API answers 409 otherwise).
ELIGIBLE = {
    "block": {"active", "frozen", "inactive", "ordered"},
    "freeze": {"active"},
    "unfreeze": {"frozen"},
}


async def fetch_cards(who: Identity, sender: str) -> list[dict[str, Any]]:
    cards = await crm_client.get(f"customers/{who.customer_id}/cards", sender)
    return sorted(cards or [], key=lambda c: (str(c.get("status")), str(c.get("last4"))))


def eligible(cards: list[dict[str, Any]], operation: str | None) -> list[dict[str, Any]]:
    allowed = ELIGIBLE.get(operation or "block", set())
    return [c for c in cards if c.get("status") in allowed]


def resolve(value: Any, cards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one card the customer meant: by its last digits, or by its kind when that is unique."""
    text = str(value or "").strip().lower()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:
        matches = [c for c in cards if str(c.get("last4")) == digits[-4:]]
    else:
        matches = [c for c in cards if text and str(c.get("kind", "")).lower() in text]
    return matches[0] if len(matches) == 1 else None


def card_button(card: dict[str, Any]) -> dict[str, str]:
    """A button that names the card only by data (its last four digits), so needs no words."""
    last4 = str(card.get("last4"))
    return {"title": f"•••• {last4}", "payload": f'/inform{{"card":"{last4}"}}'}


def utter_statuses(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], cards: list[dict[str, Any]]
) -> None:
    if not cards:
        dispatcher.utter_message(response="utter_no_cards")
    for card in cards:
        utter_first(
            dispatcher,
            domain,
            [f"utter_card_status_{card.get('status')}", "utter_card_status_other"],
            last4=card.get("last4"),
            expires=day(card.get("expires_on")),
        )


def utter_expiry(dispatcher: CollectingDispatcher, cards: list[dict[str, Any]]) -> None:
    usable = [c for c in cards if c.get("status") not in ("blocked", "expired")]
    if not usable:
        dispatcher.utter_message(response="utter_no_cards")
    for card in usable:
        dispatcher.utter_message(
            response="utter_card_expiry",
            last4=card.get("last4"),
            expires=day(card.get("expires_on")),
        )
