"""Handoff requests from the assistant, Rasa's event stream, and live delivery to customers."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from conversations.models import Conversation
from tests.platform.conftest import SERVICE_AUTH, app_token_for

HANDOFF = {
    "conversation_id": "customer-7",
    "customer_id": 7,
    "channel": "app",
    "reason": "retention",
    "priority": "high",
    "summary": "Fee complaint; wants to close the account.",
}


def test_handoff_needs_the_service_token(client) -> None:
    assert client.post("/api/v1/handoffs", json=HANDOFF).status_code == 401


def test_handoff_queues_the_conversation_once(client, db) -> None:
    first = client.post("/api/v1/handoffs", json=HANDOFF, headers=SERVICE_AUTH)
    assert first.status_code == 201
    assert first.json()["status"] == "pending"
    again = client.post("/api/v1/handoffs", json=HANDOFF, headers=SERVICE_AUTH)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    db.expire_all()
    assert db.get(Conversation, "customer-7").status == "pending"
    waiting = client.get("/api/v1/handoffs", headers=SERVICE_AUTH).json()
    assert [h["conversation_id"] for h in waiting] == ["customer-7"]


def test_handoff_summary_shown_in_the_queue_has_pii_masked(client) -> None:
    said = HANDOFF | {"summary": "Last messages: my card 4111 1111 1111 1111 was charged twice"}
    created = client.post("/api/v1/handoffs", json=said, headers=SERVICE_AUTH).json()
    assert "4111 1111 1111 1111" not in created["summary"]
    assert "[CARD ****1111]" in created["summary"]


@pytest.mark.parametrize(
    "change", [{"reason": "bored"}, {"priority": "urgent"}, {"conversation_id": ""}]
)
def test_invalid_handoff_is_422(client, change) -> None:
    response = client.post("/api/v1/handoffs", json=HANDOFF | change, headers=SERVICE_AUTH)
    assert response.status_code == 422


def test_rasa_events_record_the_channel_the_customer_last_wrote_from(client, db) -> None:
    event = {
        "event": "user",
        "sender_id": "customer-9",
        "text": "hi",
        "input_channel": "telegram",
        "metadata": {"channel": "telegram", "customer_id": 9, "verified": True},
        "parse_data": {"intent": {"name": "greet", "confidence": 0.98}, "entities": []},
    }
    response = client.post("/api/v1/rasa-events", json=[event], headers=SERVICE_AUTH)
    assert response.status_code == 202
    db.expire_all()
    conversation = db.get(Conversation, "customer-9")
    assert conversation.last_channel == "telegram"
    assert conversation.customer_id == 9


def test_malformed_rasa_events_are_422(client) -> None:
    response = client.post("/api/v1/rasa-events", json={"event": "user"}, headers=SERVICE_AUTH)
    assert response.status_code == 422


def test_agent_message_reaches_the_customers_open_chat_page(client) -> None:
    token = app_token_for(11)
    with client.websocket_connect("/chat/ws") as socket:
        socket.send_json({"token": token})
        assert socket.receive_json() == {"type": "ready", "conversation_id": "customer-11"}
        delivered = client.post(
            "/api/v1/deliveries",
            json={"conversation_id": "customer-11", "message": {"text": "Hello, I'm Alex."}},
            headers=SERVICE_AUTH,
        )
        assert delivered.status_code == 202
        assert socket.receive_json() == {
            "type": "message", "message": {"text": "Hello, I'm Alex."}
        }  # fmt: skip


def test_chat_socket_refuses_a_bad_token(client) -> None:
    with client.websocket_connect("/chat/ws") as socket:
        socket.send_json({"token": "forged"})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 4401


def test_chat_history_needs_the_customers_token(client) -> None:
    response = client.get("/chat/history", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
