"""Balance inquiry: personal data only for a verified customer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import verified_customer
from actions.other_asks import offer_other_ask
from actions.replies import say_all
from connectors import platform_api
from core.logs import conversation_id
from core.wording import Reply, balance_replies


class ActionCheckBalance(Action):
    """Every open account's balance, or only the kinds the customer named."""

    def name(self) -> str:
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        who = verified_customer(tracker, dispatcher)
        if who is None:
            return []
        try:
            accounts = await platform_api.get(
                f"customers/{who.customer_id}/accounts", tracker.sender_id
            )
        except (platform_api.PlatformUnavailable, platform_api.PlatformRejected):
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        except platform_api.PlatformNotFound:
            say_all(dispatcher, domain, [Reply.of("utter_no_accounts")])
            return []
        asked = tracker.get_latest_entity_values("account_type")
        language = tracker.get_slot("language")
        say_all(dispatcher, domain, balance_replies(accounts or [], asked, language))
        return offer_other_ask(dispatcher, tracker)
