"""Proactive messages and "stop" in the chat: what the customer hears, and what the platform
recorded (consent on every channel, planned contacts, the offer's outcome)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.assistant import crm_api
from tests.assistant.action_runner import (
    ANONYMOUS_SENDERS,
    app_metadata,
    run_action,
    said,
    slots_set,
    tracker,
)

ANONYMOUS_TRY = 39  # a customer id an unverified sender claims


def customer_with_an_offer(platform: str, rank: int) -> int:
    """The `rank`-th customer from the end of the synthetic bank who has an offer to show
    (other test files take theirs from the front)."""
    found = [
        c for c in range(40, 0, -1)
        if crm_api.get(platform, f"customers/{c}/offers", limit=1)["offers"]
    ][rank]  # fmt: skip
    return found


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, args).fetchall()


def plan(db: Path, customer: int, status: str, presentation: dict | None, reason: dict) -> int:
    """An outreach item as a campaign or the event scan plans it (and the sender claims it,
    recording the `presentation`)."""
    now = dt.datetime(2026, 1, 1)
    with sqlite3.connect(db) as conn:
        offer = conn.execute("SELECT code FROM offers WHERE active ORDER BY code").fetchone()[0]
        offer = presentation["offer_code"] if presentation else offer
        cursor = conn.execute(
            "INSERT INTO outreach_items (customer_id, channel, source, offer_code, reason,"
            " expected_value, created_at, expires_at, status, attempts, dedupe_key,"
            " presentation_id, claimed_at) VALUES (?, 'app', 'campaign', ?, ?, 0, ?, ?, ?, 0,"
            " ?, ?, ?)",
            (customer, offer, json.dumps(reason), now, now + dt.timedelta(days=3650), status,
             f"test:{customer}:{status}", presentation and presentation["id"], now),
        )  # fmt: skip
        return int(cursor.lastrowid)


def presented(platform: str, customer: int) -> dict[str, Any]:
    offer = crm_api.get(platform, f"customers/{customer}/offers", limit=1)["offers"][0]
    answer = crm_api.post(
        platform,
        f"customers/{customer}/offer-presentations",
        {"offer_code": offer["code"], "context": "chat", "channel": "app",
         "presented_by": "assistant", "conversation_id": f"customer-{customer}"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_stop_opts_out_everywhere_and_declines_the_open_offer(
    crm_env: str, platform_db: Path
) -> None:
    stopped = customer_with_an_offer(crm_env, 0)
    shown = presented(crm_env, stopped)
    planned = plan(platform_db, stopped, "pending", None, {})
    open_offer = {"pending_question": "product_offer", "offer_presentation_id": shown["id"]}

    result = run_action(
        "action_opt_out_marketing",
        tracker(app_metadata(stopped), "opt_out_marketing", slots=open_offer),
    )

    assert said(result) == ["utter_opted_out_marketing"]
    assert slots_set(result) == {
        "pending_question": None, "offer_presentation_id": None, "offer_code": None,
    }  # fmt: skip
    consent = crm_api.get(crm_env, f"customers/{stopped}/marketing-consent")["channels"]
    assert {c: v["granted"] for c, v in consent.items()} == {
        "app": False, "telegram": False, "call": False,
    }  # fmt: skip
    assert {v["source"] for v in consent.values()} == {"chat"}
    [item] = rows(platform_db, "SELECT status FROM outreach_items WHERE id = ?", planned)
    assert item["status"] == "suppressed"
    [offer] = rows(platform_db, "SELECT outcome FROM offer_presentations WHERE id = ?", shown["id"])
    assert offer["outcome"] == "declined"


def test_an_anonymous_stop_is_told_to_sign_in_and_changes_nothing(
    crm_env: str, platform_db: Path
) -> None:
    metadata = ANONYMOUS_SENDERS["claims-id-unverified"] | {"customer_id": ANONYMOUS_TRY}
    result = run_action("action_opt_out_marketing", tracker(metadata, "opt_out_marketing"))
    assert said(result) == ["utter_verify_identity"]
    changed = rows(
        platform_db,
        "SELECT * FROM marketing_consents WHERE customer_id = ? AND source = 'chat'",
        ANONYMOUS_TRY,
    )
    assert changed == []


def test_the_proactive_message_is_the_offer_with_its_reason_and_three_buttons(
    crm_env: str, platform_db: Path
) -> None:
    spoken_to = f"customer-{customer_with_an_offer(crm_env, 1)}"
    nothing = run_action("action_proactive_offer", tracker({}, "session_start", sender=spoken_to))
    assert (said(nothing), nothing["events"]) == ([], [])  # no message under way: silence

    shown = presented(crm_env, int(spoken_to.removeprefix("customer-")))
    # A reason the figures cannot fill (a new event kind's) falls back to the generic words.
    reason = {"code": "large_deposit", "figures": {}}
    plan(platform_db, int(spoken_to.removeprefix("customer-")), "claimed", shown, reason)
    result = run_action("action_proactive_offer", tracker({}, "session_start", sender=spoken_to))

    assert said(result) == [
        "utter_proactive_hello", "utter_offer_intro", "utter_offer_reason_generic",
        "utter_proactive_question",
    ]  # fmt: skip
    assert slots_set(result) == {
        "pending_question": "product_offer",
        "offer_presentation_id": shown["id"],
        "offer_code": shown["offer_code"],
    }
    # the customer's next message answers it, as after any bot turn
    last = result["events"][-1]
    assert (last["event"], last["name"]) == ("action", "action_listen")
