"""Balance inquiry: personal data only for a verified customer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import crm_client
from actions.identity import verified_customer
from crm.logs import conversation_id

# Holdings with nothing to report as a balance (an insurance policy's cover is not money
# the customer holds).
WITHOUT_BALANCE = frozenset({"insurance"})


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
            accounts = await crm_client.get(
                f"customers/{who.customer_id}/accounts", tracker.sender_id
            )
        except (crm_client.CrmUnavailable, crm_client.CrmRejected):
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        except crm_client.CrmNotFound:
            dispatcher.utter_message(response="utter_no_accounts")
            return []
        open_accounts = [
            a
            for a in accounts
            if a.get("status", "open") == "open" and a.get("kind") not in WITHOUT_BALANCE
        ]
        if not open_accounts:
            dispatcher.utter_message(response="utter_no_accounts")
        asked = set(tracker.get_latest_entity_values("account_type"))
        named = [a for a in open_accounts if a.get("kind") in asked]
        for account in named or open_accounts:  # "my savings balance": just the savings
            dispatcher.utter_message(
                response="utter_balance",
                account_name=account.get("product_name") or account.get("kind"),
                last4=account.get("number_last4"),
                balance=account.get("balance"),
                currency=account.get("currency"),
            )
        return []
