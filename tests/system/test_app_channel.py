"""A customer chatting through the in-app channel, against the real running product."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx

from core.wording import WITHOUT_BALANCE
from tests.system.conftest import (
    REPLAY_LEASE_SECONDS,
    app_token,
    crm,
    leave_claim_of_a_dead_replica,
    log_text,
    rasa_headers,
    response_texts,
    send,
    stored_events_text,
)


def test_a_signed_in_customer_is_greeted(product, customer) -> None:
    response = send(
        product, app_token(product, customer), {"message": "hello", "message_id": "g-1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"] == f"customer-{customer}"
    assert [m["text"] for m in body["messages"]] == response_texts("utter_greet")


def test_balance_answer_matches_the_customer_record(product, customer) -> None:
    accounts = [
        a
        for a in crm(product, f"customers/{customer}/accounts").json()
        if a["status"] == "open" and a["kind"] not in WITHOUT_BALANCE  # a policy holds no money
    ]
    assert accounts, "the synthetic bank gives every customer an account"
    response = send(product, app_token(product, customer), {"message": "what's my balance?"})
    texts = " ".join(m["text"] for m in response.json()["messages"])
    for account in accounts:
        assert account["number_last4"] in texts
        assert str(Decimal(str(account["balance"]))) in texts


def test_invalid_or_expired_token_is_401_with_a_clear_body(product, customer) -> None:
    for token in (None, "not-a-jwt", app_token(product, customer, ttl=-10)):
        response = send(product, token, {"message": "hello"})
        assert response.status_code == 401
        assert "app token" in response.json()["detail"]


def test_malformed_json_is_400(product, customer) -> None:
    response = send(product, app_token(product, customer), b'{"message": ')
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_message_over_4000_characters_is_413_and_not_stored(product, customer) -> None:
    marker = "overlong-marker "
    response = send(product, app_token(product, customer), {"message": marker * 300})
    assert response.status_code == 413
    tracker = httpx.get(
        f"{product['RASA_URL']}/conversations/customer-{customer}/tracker",
        headers=rasa_headers(product),
        timeout=10,
    ).json()
    assert "overlong-marker" not in json.dumps(tracker)


def test_card_number_typed_by_a_customer_is_masked_in_every_log(product, customer) -> None:
    card = "4111 1111 1111 1111"
    response = send(product, app_token(product, customer), {"message": f"hello, my card is {card}"})
    assert response.status_code == 200
    logs = log_text(product)
    assert card not in logs and card.replace(" ", "") not in logs
    masked = [
        json.loads(line)
        for line in logs.splitlines()
        if line.startswith("{") and "[CARD ****1111]" in line
    ]
    assert masked, "Rasa's debug log records the (masked) message"
    assert all(entry["conversation_id"] == f"customer-{customer}" for entry in masked)


def test_dead_action_server_gets_an_apology_not_silence(running_stack, product, customer) -> None:
    running_stack.kill("actions")
    try:
        response = send(product, app_token(product, customer), {"message": "what's my balance?"})
        assert response.status_code == 200
        texts = [m["text"] for m in response.json()["messages"]]
        assert texts == response_texts("utter_service_unavailable")
    finally:
        running_stack.restart("actions")
    again = send(product, app_token(product, customer), {"message": "what's my balance?"})
    assert again.json()["messages"][0]["text"] not in response_texts("utter_service_unavailable")


def test_a_retried_message_is_processed_and_answered_once(product, customer) -> None:
    token = app_token(product, customer)
    body = {"message": "hello", "message_id": "retry-1"}
    first = send(product, token, body)
    second = send(product, token, body)
    assert first.status_code == second.status_code == 200
    assert second.json()["messages"] == first.json()["messages"]
    assert second.json()["replayed"] is True
    tracker = httpx.get(
        f"{product['RASA_URL']}/conversations/customer-{customer}/tracker",
        headers=rasa_headers(product),
        timeout=10,
    ).json()
    user_turns = [e for e in tracker["events"] if e["event"] == "user"]
    assert len(user_turns) == 1


def test_a_resend_takes_over_a_message_whose_replica_died_without_another_resend(
    product, customer
) -> None:
    """The replica that had the message was killed 3 s before its lease ran out: the resend
    waits for the lease, then answers the message itself (before: 15 s, then 409 "in
    progress" and yet another resend)."""
    token = app_token(product, customer)
    assert send(product, token, {"message": "hi", "message_id": "died-0"}).status_code == 200
    leave_claim_of_a_dead_replica(
        product, f"app:{customer}:died-1", claimed_ago=REPLAY_LEASE_SECONDS - 3
    )
    started = time.monotonic()
    resent = send(product, token, {"message": "hello", "message_id": "died-1"})
    waited = time.monotonic() - started
    assert resent.status_code == 200, resent.text
    assert resent.json()["messages"] and "replayed" not in resent.json()
    assert waited < 12, f"the resend took {waited:.1f} s"


def test_bot_stays_silent_while_an_agent_has_the_conversation(product, customer) -> None:
    rasa, auth = product["RASA_URL"], rasa_headers(product)
    # The conversation exists (a handoff happens mid-conversation), then an agent takes it.
    assert send(
        product, app_token(product, customer), {"message": "hi", "message_id": "p-0"}
    ).json()["messages"]
    paused = httpx.post(
        f"{rasa}/conversations/customer-{customer}/tracker/events",
        headers=auth,
        json=[{"event": "pause"}],
    )
    assert paused.status_code == 200
    response = send(
        product, app_token(product, customer), {"message": "hello?", "message_id": "p-1"}
    )
    assert response.status_code == 200
    assert response.json()["messages"] == []
    assert response.json()["with_agent"] is True
    httpx.post(
        f"{rasa}/conversations/customer-{customer}/tracker/events",
        headers=auth,
        json=[{"event": "resume"}],
    )
    resumed = send(product, app_token(product, customer), {"message": "hello", "message_id": "p-2"})
    assert [m["text"] for m in resumed.json()["messages"]] == response_texts("utter_greet")


def test_an_agents_hold_survives_a_new_session(product, customer) -> None:
    """Two hours after an agent took the conversation the customer writes again: Rasa starts
    a new session (60 minutes of silence), and the bot must still leave it to the agent."""
    rasa, auth = product["RASA_URL"], rasa_headers(product)
    two_hours_ago = time.time() - 7200
    old_session = [
        {"event": "session_started", "timestamp": two_hours_ago},
        {"event": "action", "name": "action_listen", "timestamp": two_hours_ago},
        {
            "event": "user",
            "text": "I want a person",
            "parse_data": {"intent": {"name": "human_handoff", "confidence": 1.0}, "entities": []},
            "timestamp": two_hours_ago,
        },
        {"event": "pause", "timestamp": two_hours_ago + 1},
    ]
    stored = httpx.put(  # PUT replaces the history: it is all two hours old
        f"{rasa}/conversations/customer-{customer}/tracker/events", headers=auth, json=old_session
    )
    assert stored.status_code == 200
    response = send(
        product, app_token(product, customer), {"message": "hello?", "message_id": "s-1"}
    )
    assert response.status_code == 200
    assert response.json()["messages"] == []
    assert response.json()["with_agent"] is True
    events = httpx.get(f"{rasa}/conversations/customer-{customer}/tracker", headers=auth).json()
    assert [e["event"] for e in events["events"]].count("session_started") == 2
    assert events["paused"] is True


def test_rasas_api_takes_no_token_in_a_url(product, customer) -> None:
    tracker = f"{product['RASA_URL']}/conversations/customer-{customer}/tracker"
    in_url = httpx.get(tracker, params={"token": product["RASA_API_TOKEN"]}, timeout=10)
    assert in_url.status_code == 401
    assert httpx.get(tracker, headers=rasa_headers(product), timeout=10).status_code == 200


def test_a_card_number_is_masked_before_rasa_stores_it(product, customer) -> None:
    card, resident_id = "4111 1111 1111 1111", "110105194912310021"
    said = send(product, app_token(product, customer),
                {"message": f"block card {card}, my ID is {resident_id}"})  # fmt: skip
    assert said.status_code == 200
    events = httpx.get(f"{product['RASA_URL']}/conversations/customer-{customer}/tracker",
                       headers=rasa_headers(product), timeout=10).text  # fmt: skip
    stored = stored_events_text(product, f"customer-{customer}")
    assert "block card" in stored, "read from the store the product uses"
    for readable in (card, card.replace(" ", ""), resident_id):
        assert readable not in events and readable not in stored
    assert "[CARD ****1111]" in events  # the last four digits the assistant needs


def test_a_customer_sending_too_fast_is_slowed_down(product, customer) -> None:
    token = app_token(product, customer)
    answers = [send(product, token, {"message": "hi"}).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429


def test_a_huge_request_is_refused_by_the_server_itself(product, customer) -> None:
    huge = b'{"message": "' + b"x" * 2_000_000 + b'"}'
    response = send(product, app_token(product, customer), huge)
    assert response.status_code == 413
