"""The queue: urgent customers first, live updates on the agent's socket, one winner per
claim however many agents click at once, and the timeout with its callback offer."""

from __future__ import annotations

import datetime as dt
import threading

from conversations import status as handoffs
from conversations.models import Conversation, Handoff
from crm.clock import utcnow
from crm.models import SegmentAssignment
from tests.platform.conftest import SERVICE_AUTH, app_token_for
from tests.platform.console_helpers import (
    handoff,
)


def _age(db, handoff_id: int, minutes: int) -> None:
    db.get(Handoff, handoff_id).created_at = utcnow() - dt.timedelta(minutes=minutes)
    db.commit()


def test_retention_and_high_value_customers_come_first_then_the_longest_wait(
    client, users, db, crm_world
) -> None:
    people = [crm_world.customer() for _ in range(4)]
    for person, segment in zip(people, ("low_value", "low_value", "high_loyalty_high_potential",
                                        "low_value"), strict=True):  # fmt: skip
        db.add(SegmentAssignment(customer_id=person.id, segment=segment,
                                 risk_appetite="balanced", reasons=[], figures={}))  # fmt: skip
    db.commit()
    ids = [p.id for p in people]
    oldest = handoff(client, f"customer-{ids[0]}", ids[0], reason="fallback")
    older = handoff(client, f"customer-{ids[1]}", ids[1], priority="high", reason="complaint")
    valued = handoff(client, f"customer-{ids[2]}", ids[2])
    retention = handoff(client, f"customer-{ids[3]}", ids[3], reason="retention", priority="high")
    for row, minutes in ((oldest, 30), (older, 20), (valued, 10), (retention, 1)):
        _age(db, row["id"], minutes)

    waiting = users["agent"].get("/console/api/queue").json()["waiting"]
    assert [w["customer_id"] for w in waiting] == [
        ids[2],  # high-value customer, waiting 10 minutes
        ids[3],  # retention, just arrived
        ids[1],  # a complaint: high priority
        ids[0],  # waiting longest, but neither urgent nor high priority
    ]
    first = waiting[0]
    assert first["segment"] == "high_loyalty_high_potential" and first["high_value"]
    assert first["segment_label"] == "High loyalty, high potential"
    assert first["reason"] == "customer_request" and first["channel"] == "app"
    assert 590 <= first["wait_seconds"] <= 700 and first["created_at"].endswith("Z")
    assert waiting[3]["segment"] == "low_value"


def claim_at_once(users, handoff_id: int, names: tuple[str, ...]) -> dict:
    """Every agent in `names` clicks Claim at the same moment (threads behind a barrier)."""
    start = threading.Barrier(len(names))
    results: dict = {}

    def claim(name: str) -> None:
        start.wait()
        results[name] = users[name].post(f"/console/api/handoffs/{handoff_id}/claim")

    threads = [threading.Thread(target=claim, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_when_two_agents_claim_at_once_exactly_one_wins(client, users, db) -> None:
    for round_ in range(5):
        created = handoff(client, f"customer-{20 + round_}", 20 + round_)
        results = claim_at_once(users, created["id"], ("agent", "agent2"))
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 409], {n: r.text for n, r in results.items()}
        winner = next(n for n, r in results.items() if r.status_code == 200)
        loser = next(n for n, r in results.items() if r.status_code == 409)
        name = {"agent": "Alex Agent", "agent2": "Bea Agent"}[winner]
        assert results[loser].json()["detail"] == f"{name} claimed this conversation first."
        db.expire_all()
        row = db.get(Handoff, created["id"])
        assert row.status == "claimed"
        assert db.get(Conversation, row.conversation_id).status == "open"


def test_a_new_handoff_reaches_every_agents_socket(client, users) -> None:
    with (
        client.websocket_connect("/console/ws", headers=users["agent"].headers()) as one,
        client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as two,
    ):
        assert one.receive_json()["type"] == "ready"
        assert two.receive_json()["type"] == "ready"
        created = handoff(client, "customer-30", 30, reason="retention", priority="high")
        for socket in (one, two):
            event = socket.receive_json()
            assert event["type"] == "handoff.created"
            assert event["handoff"]["id"] == created["id"]
        assert (
            users["agent2"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
        )
        claimed = one.receive_json()
        assert (claimed["type"], claimed["agent"]) == ("handoff.claimed", "Bea Agent")


def test_the_owners_typing_reaches_the_customers_chat_page(client, users) -> None:
    created = handoff(client, "customer-31", 31)
    users["agent"].post(f"/console/api/handoffs/{created['id']}/claim")
    with (
        client.websocket_connect("/chat/ws") as customer,
        client.websocket_connect("/console/ws", headers=users["agent"].headers()) as console,
    ):
        customer.send_json({"token": app_token_for(31)})
        assert customer.receive_json()["type"] == "ready"
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": "customer-31"})
        assert console.receive_json() == {
            "type": "watching", "conversation_id": "customer-31", "can_act": True
        }  # fmt: skip
        console.send_json({"type": "typing", "on": True})
        assert customer.receive_json() == {"type": "typing", "on": True}


def test_someone_elses_conversation_cannot_be_watched_or_typed_into(client, users) -> None:
    created = handoff(client, "customer-32", 32)
    users["agent"].post(f"/console/api/handoffs/{created['id']}/claim")
    with client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as console:
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": "customer-32"})
        refused = console.receive_json()
        assert refused["type"] == "error" and "Alex Agent" in refused["detail"]


def test_live_customer_messages_reach_the_agent_watching_the_conversation(client, users) -> None:
    created = handoff(client, "customer-33", 33)
    users["agent"].post(f"/console/api/handoffs/{created['id']}/claim")
    said = {
        "event": "user", "sender_id": "customer-33", "timestamp": 1700000000.5,
        "text": "my card 4111 1111 1111 1111 <b>broke</b>", "input_channel": "app",
        "metadata": {"channel": "app", "customer_id": 33},
        "parse_data": {"intent": {"name": "card_not_working", "confidence": 0.91}, "entities": []},
    }  # fmt: skip
    with client.websocket_connect("/console/ws", headers=users["agent"].headers()) as console:
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": "customer-33"})
        assert console.receive_json()["type"] == "watching"
        client.post("/api/v1/rasa-events", json=[said], headers=SERVICE_AUTH)
        event = console.receive_json()
    assert event.pop("received") > 0
    assert (event["type"], event["conversation_id"]) == ("line", "customer-33")
    assert event["line"] == {
        "kind": "customer", "time": 1700000000.5,
        "text": "my card [CARD ****1111] <b>broke</b>", "channel": "app",
        "intent": "card_not_working", "confidence": 0.91, "entities": [], "language": "en",
    }  # fmt: skip


def test_overdue_handoffs_are_announced_once_and_known_customers_offered_a_callback(
    client, db
) -> None:
    known = handoff(client, "customer-40", 40)
    anonymous = handoff(client, "telegram-555", None, channel="telegram")
    fresh = handoff(client, "customer-41", 41)
    for row in (known, anonymous):
        _age(db, row["id"], 10)
    due = handoffs.claim_due(db, timeout_seconds=300)
    assert sorted((d.conversation_id, d.response) for d in due) == [
        ("customer-40", "utter_handoff_timeout"),
        ("telegram-555", "utter_handoff_still_busy"),
    ]
    assert handoffs.claim_due(db, timeout_seconds=300) == []  # once, ever
    db.expire_all()
    assert db.get(Handoff, known["id"]).callback_offer == "offered"
    assert db.get(Handoff, fresh["id"]).timeout_notified is False


def test_yes_to_the_callback_offer_puts_a_callback_in_the_queue(client, users, db) -> None:
    created = handoff(client, "customer-42", 42, reason="retention", priority="high")
    _age(db, created["id"], 10)
    handoffs.claim_due(db, timeout_seconds=60)
    db.commit()
    assert handoffs.answer_callback_offer(db, "customer-42", "greet") is None
    assert (
        handoffs.answer_callback_offer(db, "customer-42", "affirm")
        == "utter_handoff_callback_booked"
    )
    db.commit()
    assert handoffs.answer_callback_offer(db, "customer-42", "affirm") is None  # answered once
    (item,) = users["agent"].get("/console/api/queue").json()["waiting"]
    assert (item["reason"], item["priority"], item["callback_offer"]) == (
        "callback", "high", "accepted"
    )  # fmt: skip
    assert item["summary"].startswith("Callback requested after waiting (asked for: retention).")


def test_no_to_the_callback_offer_keeps_the_customer_waiting(client, db) -> None:
    created = handoff(client, "customer-43", 43)
    _age(db, created["id"], 10)
    handoffs.claim_due(db, timeout_seconds=60)
    assert handoffs.answer_callback_offer(db, "customer-43", "deny") == "utter_handoff_keep_waiting"
    db.commit()
    db.expire_all()
    row = db.get(Handoff, created["id"])
    assert (row.reason, row.status, row.callback_offer) == (
        "customer_request",
        "pending",
        "declined",
    )


def test_an_agent_previewing_a_waiting_customer_stops_following_once_another_claims_it(
    client, users
) -> None:
    created = handoff(client, "customer-34", 34)
    said = {
        "event": "user", "sender_id": "customer-34", "timestamp": 1700000001.0,
        "text": "are you there?", "input_channel": "app", "metadata": {"channel": "app"},
        "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []},
    }  # fmt: skip
    with client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as bea:
        assert bea.receive_json()["type"] == "ready"
        bea.send_json({"type": "watch", "conversation_id": "customer-34"})
        assert bea.receive_json()["can_act"] is False  # a preview
        assert (
            users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
        )
        assert bea.receive_json()["type"] == "handoff.claimed"
        client.post("/api/v1/rasa-events", json=[said], headers=SERVICE_AUTH)
        handoff(client, "customer-35", 35)
        heard = [bea.receive_json(), bea.receive_json()]
    assert [h["type"] for h in heard] == ["customer.message", "handoff.created"]
    assert "are you there?" not in str(heard)  # the message itself stays with Alex
