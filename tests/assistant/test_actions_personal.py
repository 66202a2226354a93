"""Verified customers get personal answers that match the bank's records."""

from __future__ import annotations

from decimal import Decimal

from tests.assistant import crm_api
from tests.assistant.action_runner import app_metadata, run_action, said, text_of, tracker


def test_balance_names_every_open_account(crm_env: str) -> None:
    accounts = [a for a in crm_api.get(crm_env, "customers/1/accounts") if a["status"] == "open"]
    assert any(a["kind"] == "insurance" for a in accounts), "customer 1 holds a policy"
    result = run_action("action_check_balance", tracker(app_metadata(1), "check_balance"))
    texts = " ".join(text_of(r) for r in result["responses"])
    for account in accounts:
        if account["kind"] == "insurance":
            assert account["number_last4"] not in texts, "a policy has no balance to report"
            continue
        assert account["number_last4"] in texts
        assert str(Decimal(str(account["balance"]))) in texts


def test_balance_of_the_account_kind_the_customer_named(crm_env: str) -> None:
    accounts = [a for a in crm_api.get(crm_env, "customers/1/accounts") if a["status"] == "open"]
    savings = [a for a in accounts if a["kind"] == "savings"]
    others = [a for a in accounts if a["kind"] != "savings"]
    assert savings and others, "customer 1 holds savings and other accounts"
    asked = [{"entity": "account_type", "value": "savings"}]
    result = run_action(
        "action_check_balance", tracker(app_metadata(1), "check_balance", entities=asked)
    )
    texts = " ".join(text_of(r) for r in result["responses"])
    assert all(a["number_last4"] in texts for a in savings)
    assert not any(a["number_last4"] in texts for a in others)


def test_recent_transactions_are_the_latest_in_the_record(crm_env: str) -> None:
    latest = crm_api.transactions(crm_env, 3, limit=5)
    result = run_action(
        "action_recent_transactions", tracker(app_metadata(3), "recent_transactions")
    )
    assert said(result)[0] == "utter_transactions_intro"
    lines = result["responses"][1:]
    assert len(lines) == len(latest)
    shown = {(line["description"], line["amount"]) for line in lines}
    assert {(r["description"], f"{Decimal(str(r['amount'])):.2f}") for r in latest} == shown


def test_late_card_question_tells_each_cards_status(crm_env: str) -> None:
    cards = crm_api.cards(crm_env, 8)
    result = run_action("action_topic_followup", tracker(app_metadata(8), "card_arrival"))
    assert [r["last4"] for r in result["responses"]] == [c["last4"] for c in sorted(
        cards, key=lambda c: (c["status"], c["last4"]))]  # fmt: skip
    for response, card in zip(
        said(result), sorted(cards, key=lambda c: (c["status"], c["last4"])), strict=True
    ):
        assert response in (f"utter_card_status_{card['status']}", "utter_card_status_other")


def test_pending_transfer_question_lists_what_is_pending(crm_env: str) -> None:
    customer = crm_api.find_customer(
        lambda c: any(r["status"] == "pending" for r in crm_api.transactions(crm_env, c))
    )
    pending = [r for r in crm_api.transactions(crm_env, customer) if r["status"] == "pending"]
    result = run_action(
        "action_topic_followup", tracker(app_metadata(customer), "pending_transfer")
    )
    assert said(result)[0] == "utter_pending_intro"
    assert {r["description"] for r in result["responses"][1:]} <= {
        r["description"] for r in pending
    }


def test_topic_without_a_personal_side_adds_nothing(crm_env: str) -> None:
    result = run_action("action_topic_followup", tracker(app_metadata(2), "exchange_rate"))
    assert result["responses"] == []
