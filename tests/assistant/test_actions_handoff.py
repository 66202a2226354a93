"""Human handoff through the platform API: reason, priority, summary, and the bot pauses."""

from __future__ import annotations

from typing import Any

from tests.assistant import crm_api
from tests.assistant.action_runner import app_metadata, run_action, said, tracker

PAUSE = {"event": "pause"}


def handoff_of(platform: str, conversation: str) -> dict[str, Any]:
    return next(
        h for h in crm_api.pending_handoffs(platform) if h["conversation_id"] == conversation
    )


def paused(result: dict[str, Any]) -> bool:
    return any(e.get("event") == "pause" for e in result["events"])


def test_customer_request_creates_a_handoff_and_pauses_the_bot(crm_env: str) -> None:
    history = [
        {"event": "user", "text": "my card was declined at the shop", "parse_data": {
            "intent": {"name": "declined_card_payment"}}},
    ]  # fmt: skip
    state = tracker(
        app_metadata(11), "human_handoff", text="let me talk to a person", history=history
    )
    result = run_action("action_handoff", state)

    assert said(result) == ["utter_handoff_created"]
    assert paused(result)
    handoff = handoff_of(crm_env, "customer-11")
    assert (handoff["reason"], handoff["priority"], handoff["channel"]) == (
        "customer_request",
        "normal",
        "app",
    )
    assert handoff["customer_id"] == 11
    assert "my card was declined" in handoff["summary"]
    assert "talk to a person" in handoff["summary"]
    assert handoff["team"] == "cards"  # routed by the card question, not by "a person"


def test_retention_handoff_is_high_priority(crm_env: str) -> None:
    state = tracker(
        app_metadata(12), "deny", slots={"handoff_reason": "retention", "offer_code": "X1"}
    )
    result = run_action("action_handoff", state)
    assert paused(result)
    handoff = handoff_of(crm_env, "customer-12")
    assert (handoff["reason"], handoff["priority"]) == ("retention", "high")


def test_second_failure_of_the_two_stage_fallback_hands_over(crm_env: str) -> None:
    state = tracker(app_metadata(13), "nlu_fallback", active_loop="action_two_stage_fallback")
    result = run_action("action_default_fallback", state)
    assert said(result) == ["utter_handoff_intro_fallback", "utter_handoff_created"]
    assert paused(result)
    assert handoff_of(crm_env, "customer-13")["reason"] == "fallback"


def test_policy_fallback_outside_the_two_stage_loop_only_apologises(crm_env: str) -> None:
    result = run_action("action_default_fallback", tracker(app_metadata(14), "greet"))
    assert said(result) == ["utter_default"]
    assert [e["event"] for e in result["events"]] == ["rewind"]
    assert not any(h["conversation_id"] == "customer-14" for h in crm_api.pending_handoffs(crm_env))


def test_did_you_mean_names_the_likely_topic_in_words() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "card_arrival", "confidence": 0.35},
        {"name": "card_delivery_estimate", "confidence": 0.2},
    ]
    state = tracker(app_metadata(15), "nlu_fallback", ranking=ranking)
    result = run_action("action_default_ask_affirmation", state)
    assert said(result) == ["utter_did_you_mean_card_arrival"]
