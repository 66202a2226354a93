"""The customer's transactions: recent ones, pending ones and fees, one message per line."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import Identity, verified_customer
from actions.other_asks import offer_other_ask
from connectors import platform_api
from core.logs import conversation_id
from core.wording import transaction_values

RECENT_LIMIT = 5
SCAN_LIMIT = 50  # how far back pending items and fees are looked for


async def fetch_transactions(who: Identity, sender: str, limit: int) -> list[dict[str, Any]]:
    """Newest first, each with its currency (taken from its account when the API omits it)."""
    rows = await platform_api.get(f"customers/{who.customer_id}/transactions", sender, limit=limit)
    rows = list(rows or [])
    if rows and any("currency" not in row for row in rows):
        accounts = await platform_api.get(f"customers/{who.customer_id}/accounts", sender)
        currency = {a.get("id"): a.get("currency") for a in accounts or []}
        for row in rows:
            row.setdefault("currency", currency.get(row.get("account_id"), ""))
    return sorted(rows, key=lambda r: str(r.get("posted_at") or ""), reverse=True)


def utter_lines(
    dispatcher: CollectingDispatcher,
    rows: list[dict[str, Any]],
    intro: str,
    line: str,
    empty: str,
    limit: int = RECENT_LIMIT,
) -> None:
    if not rows:
        dispatcher.utter_message(response=empty)
        return
    dispatcher.utter_message(response=intro)
    for row in rows[:limit]:
        dispatcher.utter_message(response=line, **transaction_values(row))


def is_pending(row: dict[str, Any]) -> bool:
    return row.get("status") == "pending"


def is_fee(row: dict[str, Any]) -> bool:
    return row.get("kind") == "fee"


class ActionRecentTransactions(Action):
    """Lists the latest transactions of a verified customer; anyone else is told how to verify."""

    def name(self) -> str:
        return "action_recent_transactions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return []
        try:
            rows = await fetch_transactions(who, tracker.sender_id, RECENT_LIMIT)
        except platform_api.ERRORS:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        utter_lines(
            dispatcher, rows, "utter_transactions_intro", "utter_transaction_line",
            "utter_no_transactions",
        )  # fmt: skip
        return offer_other_ask(dispatcher, tracker)
