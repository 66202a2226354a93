"""Customer satisfaction in the assistant: asked after "thanks" for a request it handled alone
(once per session, never when a person had it), the rating stored at once through the
platform API, once, and the optional comment after it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.assistant.action_runner import app_metadata, run_action, said, slots_set, tracker

SESSION_START = 1_764_600_000.25
SUBJECT = "session-1764600000.250"


def session(*intents: str, paused: bool = False) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started", "timestamp": SESSION_START},
    ]
    for intent in intents:
        events += [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": intent, "parse_data": {"intent": {"name": intent}}},
        ]
    if paused:
        events.append({"event": "pause"})
    return events


def stored(db: Path, conversation: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT subject, rating, comment, intent, channel, agent_id FROM satisfaction_ratings "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation,),
        ).fetchall()


def test_thanks_after_a_request_the_assistant_handled_asks_for_a_rating_once() -> None:
    history = session("greet", "check_balance")
    result = run_action("action_offer_csat", tracker(app_metadata(21), "thanks", history=history))
    assert said(result) == ["utter_ask_csat"]
    assert slots_set(result) == {"csat_subject": SUBJECT}

    asked = tracker(app_metadata(21), "thanks", history=history, slots={"csat_subject": SUBJECT})
    assert said(run_action("action_offer_csat", asked)) == []  # not twice in one session


def test_no_rating_question_after_small_talk_or_when_a_person_had_the_session() -> None:
    small_talk = tracker(app_metadata(22), "thanks", history=session("greet", "bot_challenge"))
    assert said(run_action("action_offer_csat", small_talk)) == []
    with_person = tracker(
        app_metadata(22), "thanks", history=session("block_card", "human_handoff", paused=True)
    )
    assert said(run_action("action_offer_csat", with_person)) == []  # asked when it ends


def test_no_second_question_in_a_session_where_the_customer_already_rated() -> None:
    # the console asked after an agent's part (another subject); the comment read as a request
    history = session("rate_service", "check_balance")
    state = tracker(
        app_metadata(29), "thanks", history=history, slots={"csat_subject": "handoff-9"}
    )
    assert said(run_action("action_offer_csat", state)) == []


def test_no_question_after_the_customer_was_already_asked_in_this_session() -> None:
    question = {"event": "bot", "text": "How would you rate…", "data": {"buttons": [
        {"title": "4", "payload": '/rate_service{"csat_rating":"4"}'}]}}  # fmt: skip
    history = [*session("check_balance"), question]
    state = tracker(app_metadata(31), "thanks", history=history, slots={"csat_subject": "x"})
    assert said(run_action("action_offer_csat", state)) == []


def rating_given(customer: int, rating: str, history: list | None = None) -> dict[str, Any]:
    state = tracker(
        app_metadata(customer), "rate_service", history=history or session("block_card"),
        slots={"csat_subject": SUBJECT}, recent_slots={"csat_rating": rating},
        active_loop="csat_form",
    )  # fmt: skip
    return run_action("validate_csat_form", state)


def test_a_rating_is_stored_at_once_and_only_once(crm_env: str, platform_db: Path) -> None:
    assert slots_set(rating_given(23, "4")) == {"csat_rating": "4"}
    assert slots_set(rating_given(23, "2")) == {"csat_rating": "2"}  # clicked again, replayed
    assert stored(platform_db, "customer-23") == [(SUBJECT, 4, None, "block_card", "app", None)]


def test_an_agents_rating_is_about_the_topic_before_the_request_for_a_person(
    crm_env: str, platform_db: Path
) -> None:
    before = session("greet", "lost_or_stolen_card", "human_handoff", paused=True)
    with_agent = [{"event": "user", "parse_data": {"intent": {"name": "check_balance"}}}]
    after = [{"event": "resume"}, *session()]
    rating_given(30, "5", history=before + with_agent + after)
    assert stored(platform_db, "customer-30")[0][3] == "lost_or_stolen_card"


def test_a_rating_typed_in_words_is_read_and_nonsense_is_asked_again(
    crm_env: str, platform_db: Path
) -> None:
    assert slots_set(rating_given(24, "我给5分")) == {"csat_rating": "5"}
    assert slots_set(rating_given(25, "great")) == {"csat_rating": None}
    assert [r[1] for r in stored(platform_db, "customer-24")] == [5]
    assert stored(platform_db, "customer-25") == []


def comment_given(customer: int, comment: str) -> dict[str, Any]:
    state = tracker(
        app_metadata(customer), "inform", text=comment, history=session("block_card"),
        slots={"csat_subject": SUBJECT, "csat_rating": "3", "csat_comment": comment},
    )  # fmt: skip
    return run_action("action_save_csat_comment", state)


def test_the_comment_is_added_and_the_customer_thanked(crm_env: str, platform_db: Path) -> None:
    rating_given(26, "3")
    result = comment_given(26, "The wait was long")
    assert said(result) == ["utter_csat_thanks"]
    assert slots_set(result) == {"csat_rating": None, "csat_comment": None}
    assert stored(platform_db, "customer-26")[0][1:3] == (3, "The wait was long")

    rating_given(27, "3")
    assert said(comment_given(27, "-")) == ["utter_csat_thanks"]  # "No, thanks"
    assert stored(platform_db, "customer-27")[0][1:3] == (3, None)


def test_a_platform_outage_does_not_stop_the_conversation(dead_crm: str) -> None:
    assert slots_set(rating_given(28, "5")) == {"csat_rating": "5"}
    assert said(comment_given(28, "fine")) == ["utter_csat_thanks"]
