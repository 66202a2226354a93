"""An anonymous sender never receives account data, whatever they ask and however they ask.

Each personal action runs against the real customer API with the metadata of an
unverified sender that names customer 1; nothing of customer 1's record may come back,
nothing may change in it, and the sender is told how to verify instead.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.topics import PERSONAL_TOPICS
from tests.assistant import crm_api
from tests.assistant.action_runner import ANONYMOUS_SENDERS, as_text, run_action, said, tracker

VICTIM = 1
VERIFY = {"utter_verify_identity", "utter_verify_for_details", "utter_verify_for_offers"}
ALLOWED = VERIFY | {"utter_card_hotline", "utter_topic_terminate_account"}


def secrets_of(platform: str, customer_id: int) -> set[str]:
    """Values that would give the customer's accounts, cards or transactions away."""
    values: set[str] = set()
    for account in crm_api.get(platform, f"customers/{customer_id}/accounts"):
        values |= {str(account["number_last4"]), str(account["balance"])}
    for card in crm_api.cards(platform, customer_id):
        values.add(str(card["last4"]))
    for row in crm_api.transactions(platform, customer_id, limit=20):
        values |= {str(row["amount"]), str(row.get("description") or "")}
    return {v for v in values if len(v) >= 4}


def personal_calls(platform: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, intent, tracker options) for everything that could disclose or change data."""
    card = crm_api.cards(platform, VICTIM)[0]
    payment = crm_api.transactions(platform, VICTIM, limit=5)[0]
    calls = [
        ("action_check_balance", "check_balance", {}),
        ("action_recent_transactions", "recent_transactions", {}),
        ("action_present_offer", "product_credit_card", {}),
        ("action_retention", "terminate_account", {}),
        ("action_ask_card_last4", "block_card", {"slots": {"card_operation": "block"}}),
        (
            "validate_card_form",
            "inform",
            {"recent_slots": {"card_last4": card["last4"]}, "active_loop": "card_form",
             "slots": {"card_operation": "block"}},
        ),
        (
            "action_submit_card_form",
            "affirm",
            {"slots": {"card_operation": "block", "card_id": card["id"],
                       "card_last4": card["last4"], "card_confirmed": True}},
        ),
        ("action_ask_dispute_transaction", "dispute_transaction", {}),
        (
            "validate_dispute_form",
            "inform",
            {"recent_slots": {"dispute_transaction": str(payment["id"])},
             "active_loop": "dispute_form"},
        ),
        (
            "action_submit_dispute",
            "affirm",
            {"slots": {"dispute_transaction": str(payment["id"]), "dispute_summary": "x",
                       "dispute_description": "not me", "dispute_confirmed": True}},
        ),
        (
            "action_submit_complaint",
            "affirm",
            {"slots": {"complaint_category": "fees", "complaint_description": "too dear",
                       "complaint_confirmed": True}},
        ),
    ]  # fmt: skip
    calls += [("action_topic_followup", intent, {}) for intent in sorted(PERSONAL_TOPICS)]
    return calls


@pytest.mark.parametrize("sender", sorted(ANONYMOUS_SENDERS))
def test_anonymous_sender_never_receives_account_data(sender: str, crm_env: str) -> None:
    metadata = ANONYMOUS_SENDERS[sender]
    secrets = secrets_of(crm_env, VICTIM)
    cards_before = crm_api.cards(crm_env, VICTIM)
    for action, intent, options in personal_calls(crm_env):
        result = run_action(action, tracker(metadata, intent, **options))
        leaked = {s for s in secrets if s in as_text(result)}
        assert not leaked, f"{action} ({intent}) disclosed {leaked} to an anonymous sender"
        assert set(said(result)) <= ALLOWED, f"{action} ({intent}) said {said(result)}"
        if action.startswith("action_") and not action.startswith("action_ask"):
            assert VERIFY & set(said(result)), f"{action} ({intent}) did not say how to verify"
    assert crm_api.cards(crm_env, VICTIM) == cards_before, "an anonymous sender changed a card"


def test_anonymous_forms_ask_nothing_and_end_at_once(crm_env: str) -> None:
    metadata = ANONYMOUS_SENDERS["telegram-unlinked"]
    for form in ("card_form", "dispute_form", "complaint_form"):
        result = run_action(f"validate_{form}", tracker(metadata, "block_card", active_loop=form))
        assert result["responses"] == []
        assert {"event": "slot", "name": "requested_slot", "value": None} in [
            {k: e.get(k) for k in ("event", "name", "value")} for e in result["events"]
        ]


def test_handoff_from_an_anonymous_sender_is_not_attributed_to_a_customer(crm_env: str) -> None:
    state = tracker(
        ANONYMOUS_SENDERS["claims-id-unverified"], "human_handoff", sender="telegram-77"
    )
    result = run_action("action_handoff", state)
    assert said(result) == ["utter_handoff_created"]
    handoff = next(
        h for h in crm_api.pending_handoffs(crm_env) if h["conversation_id"] == "telegram-77"
    )
    assert handoff["customer_id"] is None
