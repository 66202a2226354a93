"""Next-best offers and retention: what the customer hears, and the closed loop in the database
(presentation recorded, then the customer's reaction)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.assistant import crm_api
from tests.assistant.action_runner import (
    DOMAIN,
    app_metadata,
    run_action,
    said,
    slots_set,
    tracker,
)


def offers(platform: str, customer_id: int, context: str) -> list[dict[str, Any]]:
    body = crm_api.get(
        platform, f"customers/{customer_id}/offers", context=context, channel="app", limit=5
    )
    return body.get("offers", []) if isinstance(body, dict) else body


def presentation(db: Path, presentation_id: int) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM offer_presentations WHERE id = ?", (presentation_id,)
        ).fetchone()
    assert row is not None
    return dict(row)


def present(customer_id: int, intent: str = "product_deposit") -> dict[str, Any]:
    return run_action("action_present_offer", tracker(app_metadata(customer_id), intent))


def answer(customer_id: int, intent: str, slots: dict[str, Any]) -> dict[str, Any]:
    return run_action(
        "action_offer_outcome", tracker(app_metadata(customer_id), intent, slots=slots)
    )


def test_every_reason_the_api_gives_has_a_customer_facing_response(crm_env: str) -> None:
    codes = {
        reason["code"]
        for customer in range(1, 41)
        for context in ("chat", "retention")
        for offer in offers(crm_env, customer, context)
        for reason in offer.get("reasons") or []
    }
    assert codes, "the synthetic bank gives reasons for its offers"
    missing = sorted(c for c in codes if f"utter_offer_reason_{c}" not in DOMAIN["responses"])
    assert not missing


@pytest.mark.parametrize(("reaction", "outcome"), [("affirm", "accepted"), ("deny", "declined")])
def test_offer_is_presented_with_its_reason_and_the_reaction_recorded(
    reaction: str, outcome: str, crm_env: str, platform_db: Path
) -> None:
    customer = crm_api.find_customer(lambda c: offers(crm_env, c, "chat"))
    best = offers(crm_env, customer, "chat")[0]
    result = present(customer, "product_overview")

    assert said(result)[0] == "utter_offer_intro"
    assert result["responses"][0]["offer_name"] == best["name"]
    reason = best["reasons"][0]["code"]
    assert said(result)[1] == f"utter_offer_reason_{reason}"
    assert said(result)[-1] == "utter_offer_question"
    slots = slots_set(result)
    assert slots["pending_question"] == "product_offer"
    shown = presentation(platform_db, slots["offer_presentation_id"])
    assert (shown["offer_code"], shown["context"], shown["channel"]) == (
        best["code"],
        "chat",
        "app",
    )
    assert shown["presented_by"] == "assistant"
    assert shown["conversation_id"] == f"customer-{customer}"

    closed = answer(customer, reaction, slots)
    assert slots_set(closed)["pending_question"] is None
    assert presentation(platform_db, slots["offer_presentation_id"])["outcome"] == outcome


def test_retention_records_the_wish_to_close_and_offers_a_way_to_stay(
    crm_env: str, platform_db: Path
) -> None:
    customer = crm_api.find_customer(lambda c: offers(crm_env, c, "retention"))
    risk_before = crm_api.get(crm_env, f"customers/{customer}/churn-risk")
    result = run_action("action_retention", tracker(app_metadata(customer), "terminate_account"))

    assert said(result)[0] == "utter_offer_intro"
    assert said(result)[-1] == "utter_retention_offer_question"
    slots = slots_set(result)
    assert slots["pending_question"] == "retention_offer"
    assert slots["handoff_reason"] == "retention"
    assert presentation(platform_db, slots["offer_presentation_id"])["context"] == "retention"
    risk_after = crm_api.get(crm_env, f"customers/{customer}/churn-risk")
    assert risk_after != risk_before, "the wish to close raised the churn risk"

    declined = answer(customer, "deny", slots)
    assert slots_set(declined)["handoff_reason"] == "retention"
    assert presentation(platform_db, slots["offer_presentation_id"])["outcome"] == "declined"


def test_fee_complaint_shows_the_fees_then_offers_retention(crm_env: str) -> None:
    result = run_action(
        "action_topic_followup", tracker(app_metadata(7), "card_payment_fee_charged")
    )
    spoken = said(result)
    assert spoken[0] in ("utter_fees_intro", "utter_no_fees")
    assert "utter_fee_complaint_acknowledge" in spoken
    assert slots_set(result)["pending_question"] in ("fee_offer", "handoff_offer")
