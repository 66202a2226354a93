"""Disputes and complaints: the customer ends with a reference number and a due date that the
customer API stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.assistant import crm_api
from tests.assistant.action_runner import (
    app_metadata,
    run_action,
    said,
    slots_set,
    text_of,
    tracker,
)


def stored_complaint(db: Path, reference: str) -> dict:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM complaints WHERE reference = ?", (reference,)).fetchone()
    assert row is not None, f"complaint {reference} is not in the database"
    return dict(row)


def outgoing(platform: str, customer_id: int) -> list[dict]:
    return [
        r for r in crm_api.transactions(platform, customer_id) if str(r["amount"]).startswith("-")
    ]


def test_a_disputed_payment_gets_a_stored_case_with_reference_and_due_date(
    crm_env: str, platform_db: Path
) -> None:
    customer = crm_api.find_customer(lambda c: outgoing(crm_env, c))
    payment = outgoing(crm_env, customer)[0]
    metadata = app_metadata(customer)

    asked = run_action("action_ask_dispute_transaction", tracker(metadata, "dispute_transaction"))
    payloads = [b["payload"] for b in asked["responses"][0]["buttons"]]
    assert f'/inform{{"transaction":"{payment["id"]}"}}' in payloads

    chosen = slots_set(
        run_action(
            "validate_dispute_form",
            tracker(
                metadata,
                "inform",
                slots={"requested_slot": "dispute_transaction"},
                recent_slots={"dispute_transaction": str(payment["id"])},
                active_loop="dispute_form",
            ),
        )
    )
    assert chosen["dispute_transaction"] == str(payment["id"])
    assert str(payment["amount"]).lstrip("-") in chosen["dispute_summary"]

    result = run_action(
        "action_submit_dispute",
        tracker(
            metadata,
            "affirm",
            slots={**chosen, "dispute_description": "I never made it", "dispute_confirmed": True},
        ),
    )
    assert said(result) == ["utter_dispute_created"]
    reply = result["responses"][0]
    stored = stored_complaint(platform_db, reply["reference"])
    assert stored["customer_id"] == customer
    assert str(payment["id"]) in stored["description"]
    assert reply["sla_due"] == str(stored["sla_due"])[:10]
    assert reply["reference"] in text_of(reply)


def test_a_payment_of_someone_else_cannot_be_disputed(crm_env: str) -> None:
    customer = crm_api.find_customer(lambda c: outgoing(crm_env, c))
    own = {str(r["id"]) for r in crm_api.transactions(crm_env, customer, limit=200)}
    foreign = next(str(n) for n in range(1, 100000) if str(n) not in own)
    result = run_action(
        "validate_dispute_form",
        tracker(
            app_metadata(customer),
            "inform",
            slots={"requested_slot": "dispute_transaction"},
            recent_slots={"dispute_transaction": foreign},
            active_loop="dispute_form",
        ),
    )
    assert said(result) == ["utter_transaction_not_found"]
    assert slots_set(result)["dispute_transaction"] is None


def test_a_complaint_gets_a_reference_and_due_date(crm_env: str, platform_db: Path) -> None:
    result = run_action(
        "action_submit_complaint",
        tracker(
            app_metadata(4),
            "affirm",
            slots={
                "complaint_category": "service",
                "complaint_description": "Nobody answered the phone for an hour.",
                "complaint_confirmed": True,
            },
        ),
    )
    assert said(result) == ["utter_complaint_created"]
    reply = result["responses"][0]
    stored = stored_complaint(platform_db, reply["reference"])
    assert stored["category"] == "service"
    assert stored["channel"] == "app"
    assert reply["sla_due"] == str(stored["sla_due"])[:10]


def test_a_fee_complaint_also_goes_through_retention(crm_env: str, platform_db: Path) -> None:
    result = run_action(
        "action_submit_complaint",
        tracker(
            app_metadata(5),
            "affirm",
            slots={
                "complaint_category": "fees",
                "complaint_description": "The account fee doubled.",
                "complaint_confirmed": True,
            },
        ),
    )
    assert said(result)[:2] == ["utter_complaint_created", "utter_fee_complaint_acknowledge"]
    assert slots_set(result)["pending_question"] in ("fee_offer", "handoff_offer")


def test_a_declined_confirmation_files_nothing(crm_env: str, platform_db: Path) -> None:
    with sqlite3.connect(platform_db) as conn:
        before = conn.execute("SELECT COUNT(*) FROM complaints").fetchone()[0]
    result = run_action(
        "action_submit_complaint",
        tracker(
            app_metadata(6),
            "deny",
            slots={
                "complaint_category": "cards",
                "complaint_description": "x",
                "complaint_confirmed": False,
            },
        ),
    )
    assert said(result) == ["utter_complaint_cancelled"]
    with sqlite3.connect(platform_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == before
