"""After the general answer to a BANKING77 topic: the customer's own data, when it helps.

A verified customer asking about a late card hears their cards' status; one asking about a
pending transfer hears what is pending on their account, and so on. An anonymous customer
hears how to verify instead. Fee complaints also go through retention (actions.retention).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cards import fetch_cards
from actions.identity import Identity, verified_customer
from actions.other_asks import offer_other_ask
from actions.replies import latest_intent, say_all
from actions.retention import fee_complaint
from actions.transactions import (
    RECENT_LIMIT,
    SCAN_LIMIT,
    fetch_transactions,
    is_fee,
    is_pending,
    utter_lines,
)
from connectors import platform_api
from core.logs import conversation_id
from core.wording import (
    CARDS,
    EXPIRY,
    FEE_COMPLAINTS,
    FEES,
    PENDING,
    PERSONAL_TOPICS,
    RECENT,
    card_expiry_replies,
    card_status_replies,
)


async def tell_personal_side(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], who: Identity, sender: str, kind: str
) -> None:
    if kind in (CARDS, EXPIRY):
        cards = await fetch_cards(who, sender)
        replies = card_status_replies(cards) if kind == CARDS else card_expiry_replies(cards)
        say_all(dispatcher, domain, replies)
        return
    rows = await fetch_transactions(who, sender, RECENT_LIMIT if kind == RECENT else SCAN_LIMIT)
    if kind == PENDING:
        utter_lines(
            dispatcher,
            [r for r in rows if is_pending(r)],
            "utter_pending_intro",
            "utter_pending_line",
            "utter_no_pending",
        )
    elif kind == FEES:
        utter_lines(
            dispatcher,
            [r for r in rows if is_fee(r)],
            "utter_fees_intro",
            "utter_transaction_line",
            "utter_no_fees",
        )
    else:
        utter_lines(
            dispatcher,
            rows,
            "utter_transactions_intro",
            "utter_transaction_line",
            "utter_no_transactions",
        )


class ActionTopicFollowup(Action):
    """Runs after every topic answer; says nothing for topics with no personal side."""

    def name(self) -> str:
        return "action_topic_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        intent = latest_intent(tracker) or ""
        kind = PERSONAL_TOPICS.get(intent)
        if kind is None:
            return offer_other_ask(dispatcher, tracker)
        who = verified_customer(tracker, dispatcher, ("utter_verify_for_details",))
        if who is None:
            return []
        try:
            await tell_personal_side(dispatcher, domain, who, tracker.sender_id, kind)
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if intent in FEE_COMPLAINTS:
            return await fee_complaint(dispatcher, tracker, domain, who)
        return offer_other_ask(dispatcher, tracker)
