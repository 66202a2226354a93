"""Block, freeze and unfreeze a card against the real customer API and database."""

from __future__ import annotations

from typing import Any

from tests.assistant import crm_api
from tests.assistant.action_runner import app_metadata, run_action, said, slots_set, tracker


def with_status(platform: str, customer_id: int, status: str) -> list[dict[str, Any]]:
    return [c for c in crm_api.cards(platform, customer_id) if c["status"] == status]


def status_of(platform: str, customer_id: int, card_id: int) -> str:
    return next(c["status"] for c in crm_api.cards(platform, customer_id) if c["id"] == card_id)


def choose(customer_id: int, operation: str, value: str) -> dict[str, Any]:
    """The customer names a card (button or typed) while the card form asks which one."""
    return run_action(
        "validate_card_form",
        tracker(
            app_metadata(customer_id),
            "inform",
            slots={"card_operation": operation, "requested_slot": "card_last4"},
            recent_slots={"card_last4": value},
            active_loop="card_form",
        ),
    )


def submit(customer_id: int, operation: str, card: dict[str, Any], confirmed: bool) -> dict:
    slots = {
        "card_operation": operation,
        "card_id": card["id"],
        "card_last4": card["last4"],
        "card_confirmed": confirmed,
    }
    return run_action(
        "action_submit_card_form",
        tracker(app_metadata(customer_id), "affirm" if confirmed else "deny", slots=slots),
    )


def test_freeze_then_unfreeze_a_card_the_customer_chose(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: with_status(crm_env, c, "active"))
    card = with_status(crm_env, customer, "active")[0]

    chosen = slots_set(choose(customer, "freeze", card["last4"]))
    assert chosen["card_id"] == card["id"]
    result = submit(customer, "freeze", card, confirmed=True)
    assert said(result) == ["utter_card_frozen"]
    assert result["responses"][0]["card_last4"] == card["last4"]
    assert status_of(crm_env, customer, card["id"]) == "frozen"

    result = submit(customer, "unfreeze", card, confirmed=True)
    assert said(result) == ["utter_card_unfrozen"]
    assert status_of(crm_env, customer, card["id"]) == "active"


def test_the_choice_offers_exactly_the_cards_the_operation_applies_to(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: with_status(crm_env, c, "active"))
    result = run_action(
        "action_ask_card_last4",
        tracker(app_metadata(customer), "freeze_card", slots={"card_operation": "freeze"}),
    )
    assert said(result) == ["utter_ask_card_last4"]
    offered = {b["payload"] for b in result["responses"][0]["buttons"]}
    expected = {
        f'/inform{{"card":"{c["last4"]}"}}' for c in with_status(crm_env, customer, "active")
    }
    assert offered == expected


def test_a_card_that_is_not_the_customers_is_asked_for_again(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: with_status(crm_env, c, "active"))
    others = {c["last4"] for c in crm_api.cards(crm_env, customer)}
    stranger = next(f"{n:04d}" for n in range(10000) if f"{n:04d}" not in others)
    result = choose(customer, "freeze", stranger)
    assert said(result) == ["utter_card_not_found"]
    assert slots_set(result)["card_last4"] is None


def test_nothing_to_unfreeze_ends_the_form_with_an_explanation(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: not with_status(crm_env, c, "frozen"))
    result = run_action(
        "validate_card_form",
        tracker(app_metadata(customer), "unfreeze_card", slots={"card_operation": "unfreeze"}),
    )
    assert said(result) == ["utter_no_eligible_card"]
    assert slots_set(result)["requested_slot"] is None
    assert slots_set(result)["form_aborted"] is True


def test_saying_no_at_the_confirmation_changes_nothing(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: with_status(crm_env, c, "active"))
    card = with_status(crm_env, customer, "active")[0]
    result = submit(customer, "block", card, confirmed=False)
    assert said(result) == ["utter_card_operation_cancelled"]
    assert status_of(crm_env, customer, card["id"]) == "active"


def test_a_blocked_card_stays_blocked_and_the_refusal_is_explained(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: len(with_status(crm_env, c, "active")) >= 2)
    card = with_status(crm_env, customer, "active")[-1]
    assert said(submit(customer, "block", card, confirmed=True)) == ["utter_card_blocked"]
    assert status_of(crm_env, customer, card["id"]) == "blocked"

    result = submit(customer, "unfreeze", card, confirmed=True)
    assert said(result) == ["utter_card_operation_refused"]
    assert status_of(crm_env, customer, card["id"]) == "blocked"
