"""Teams and skills routing, capacity and transfer: a handoff lands in the right team's queue,
an agent sees their teams' customers first, nobody takes more than they can hold, and a
conversation moves to another team or colleague with its history and a note, the customer
told in the assistant's words, exactly once however many clicks race."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from agent_console.models import Agent, AuditEntry
from conversations.models import Conversation, Handoff
from conversations.routing import team_for
from conversations.team_models import HandoffTransfer, TeamMember
from tests.platform.console_helpers import handoff
from tests.platform.rasa_stand_in import RasaStandIn, domain_text


@pytest.fixture
def rasa(client, monkeypatch):
    stand_in = RasaStandIn()
    monkeypatch.setattr(client.app.state.rasa, "_base", stand_in.url)
    yield stand_in
    stand_in.close()


def set_capacity(db, username: str, capacity: int) -> None:
    db.query(Agent).filter_by(username=username).one().capacity = capacity
    db.commit()


def claim(user, handoff_id: int):
    return user.post(f"/console/api/handoffs/{handoff_id}/claim")


def transfer(user, conversation: str, **body: Any):
    return user.post(f"/console/api/conversations/{conversation}/transfer", body)


def at_once(calls: dict[str, Any]) -> dict[str, Any]:
    """Every call starts at the same moment (threads behind a barrier)."""
    start = threading.Barrier(len(calls))
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        start.wait()
        results[name] = calls[name]()

    threads = [threading.Thread(target=run, args=(name,)) for name in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_reason_then_the_customers_topic_picks_the_team() -> None:
    assert team_for("retention", "block_card") == "retention"
    assert team_for("complaint", None) == "complaints"
    assert team_for("customer_request", "block_card") == "cards"
    assert team_for("customer_request", "card_arrival") == "cards"
    assert team_for("fallback", "dispute_transaction") == "complaints"
    assert team_for("customer_request", "terminate_account") == "retention"
    assert team_for("customer_request", "check_balance") == "general"
    assert team_for("fallback", None) == "general"


def test_a_new_handoff_lands_in_its_teams_queue(client, db) -> None:
    cards = handoff(client, "customer-101", 101, intent="block_card")
    retention = handoff(client, "customer-102", 102, reason="retention", priority="high")
    general = handoff(client, "customer-103", 103)
    assert (cards["team"], retention["team"], general["team"]) == ("cards", "retention", "general")
    db.expire_all()
    assert db.get(Handoff, cards["id"]).team == "cards"


def test_agents_see_their_teams_customers_first_and_every_item_names_its_team(
    client, users, db
) -> None:
    older = handoff(client, "customer-111", 111, reason="fallback", intent="dispute_transaction")
    newer = handoff(client, "customer-112", 112, intent="block_card")

    def order(name: str) -> list[tuple[int, str, str]]:
        waiting = users[name].get("/console/api/queue").json()["waiting"]
        return [(w["id"], w["team"], w["team_name"]) for w in waiting]

    cards_first = [(newer["id"], "cards", "Cards"), (older["id"], "complaints", "Complaints")]
    assert order("agent") == cards_first  # agent: cards + general
    assert order("agent2") == cards_first[::-1]  # agent2: retention + complaints
    assert order("supervisor") == cards_first[::-1]  # every team: the longest wait first
    me = users["agent"].get("/console/api/queue").json()["me"]
    assert me["teams"] == ["cards", "general"] and me["capacity"] >= 3
    members = {m.team_code for m in db.query(TeamMember).join(Agent).filter_by(username="agent2")}
    assert members == {"retention", "complaints"}


def test_an_agent_at_capacity_cannot_claim_and_gets_no_new_pushes(client, users, db) -> None:
    set_capacity(db, "agent", 1)
    first = handoff(client, "customer-121", 121, intent="block_card")
    second = handoff(client, "customer-122", 122, intent="block_card")
    assert claim(users["agent"], first["id"]).status_code == 200
    refused = claim(users["agent"], second["id"])
    assert refused.status_code == 409
    assert "at capacity" in refused.json()["detail"]
    db.expire_all()
    assert db.get(Handoff, second["id"]).status == "pending"
    with (
        client.websocket_connect("/console/ws", headers=users["agent"].headers()) as busy,
        client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as free,
    ):
        assert busy.receive_json()["type"] == "ready"
        assert free.receive_json()["type"] == "ready"
        third = handoff(client, "customer-123", 123, intent="block_card")
        assert free.receive_json()["type"] == "handoff.created"
        assert claim(users["agent2"], third["id"]).status_code == 200
        # The busy agent's next event is the claim: the new handoff was never pushed to them.
        event = busy.receive_json()
        assert (event["type"], event["handoff_id"]) == ("handoff.claimed", third["id"])


def test_a_transfer_to_another_team_goes_back_to_that_queue_with_the_note_and_history(
    client, users, db, rasa
) -> None:
    created = handoff(client, "customer-131", 131, intent="block_card", summary="Card lost.")
    assert claim(users["agent"], created["id"]).status_code == 200
    note = "Wants to close the account after the fee; card 4111 1111 1111 1111 blocked."
    response = transfer(users["agent"], "customer-131", team="retention", note=note)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "transferred", "team": "retention", "agent": None, "customer_told": True,
    }  # fmt: skip
    # The customer is told, in the assistant's words, in their language.
    assert rasa.said_to("customer-131") == [domain_text("utter_agent_transferred")]
    db.expire_all()
    row = db.get(Handoff, created["id"])
    assert (row.status, row.team, row.claimed_by, row.summary) == (
        "pending", "retention", None, "Card lost."
    )  # fmt: skip
    assert db.get(Conversation, "customer-131").status == "pending"
    (moved,) = db.query(HandoffTransfer).all()
    alex = db.query(Agent).filter_by(username="agent").one()
    assert (moved.from_agent_id, moved.to_team) == (alex.id, "retention")
    assert moved.by_agent_id == alex.id
    assert "4111 1111 1111 1111" not in moved.note  # every agent reads the queue: masked
    assert db.query(AuditEntry).filter_by(action="transfer_conversation", customer_id=131).count()
    # The sender no longer acts on it; the retention desk sees it first, with the note.
    sent = users["agent"].post("/console/api/conversations/customer-131/messages", {"text": "hi"})
    assert sent.status_code == 403
    (item,) = users["agent2"].get("/console/api/queue").json()["waiting"]
    assert (item["id"], item["team"], item["my_team"]) == (created["id"], "retention", True)
    assert item["transfer"]["by"] == "Alex Agent"
    assert item["transfer"]["note"].startswith("Wants to close the account after the fee")
    assert claim(users["agent2"], created["id"]).status_code == 200
    lines = users["agent2"].get("/console/api/conversations/customer-131").json()["lines"]
    (line,) = [x for x in lines if x.get("state") == "transferred"]
    assert (line["agent"], line["team"], line["note"]) == ("Alex Agent", "retention", moved.note)
    assert next(x["state"] for x in lines if x["kind"] == "queue") == "requested"


def test_a_transfer_to_a_named_agent_is_theirs_at_once_within_their_capacity(
    client, users, db, rasa
) -> None:
    rasa.language["customer-141"] = "zh"
    bea = db.query(Agent).filter_by(username="agent2").one().id
    created = handoff(client, "customer-141", 141, intent="block_card")
    assert claim(users["agent"], created["id"]).status_code == 200
    set_capacity(db, "agent2", 1)
    busy = handoff(client, "customer-142", 142, reason="retention")
    assert claim(users["agent2"], busy["id"]).status_code == 200
    full = transfer(users["agent"], "customer-141", agent_id=bea, note="Fee question")
    assert full.status_code == 409 and "Bea Agent is at capacity" in full.json()["detail"]
    assert rasa.said_to("customer-141") == []  # not moved: not told
    set_capacity(db, "agent2", 2)
    moved = transfer(users["agent"], "customer-141", agent_id=bea, note="Fee question")
    assert moved.status_code == 200, moved.text
    assert moved.json()["agent"] == "Bea Agent"
    assert rasa.said_to("customer-141") == [domain_text("utter_agent_transferred", "zh")]
    db.expire_all()
    row = db.get(Handoff, created["id"])
    assert (row.status, row.claimed_by, row.team) == ("claimed", bea, "cards")
    assert db.get(Conversation, "customer-141").assigned_agent_id == bea
    reply = users["agent2"].post("/console/api/conversations/customer-141/messages", {"text": "Hi"})
    assert reply.status_code == 202
    gone = users["agent"].get("/console/api/conversations/customer-141")
    assert gone.status_code == 403 and "Bea Agent has this conversation" in gone.json()["detail"]


def test_two_transfers_at_once_move_the_conversation_once_and_then_one_claim_wins(
    client, users, db, rasa
) -> None:
    created = handoff(client, "customer-151", 151, intent="block_card")
    assert claim(users["agent"], created["id"]).status_code == 200
    results = at_once({
        "retention": lambda: transfer(users["agent"], "customer-151", team="retention", note="a"),
        "complaints": lambda: transfer(users["agent"], "customer-151", team="complaints", note="b"),
    })  # fmt: skip
    assert sorted(r.status_code for r in results.values()) == [200, 409], {
        k: r.text for k, r in results.items()
    }
    winner = next(k for k, r in results.items() if r.status_code == 200)
    db.expire_all()
    assert [t.to_team for t in db.query(HandoffTransfer).all()] == [winner]
    assert db.get(Handoff, created["id"]).team == winner
    assert rasa.said_to("customer-151") == [domain_text("utter_agent_transferred")]  # once
    claims = at_once({
        "agent2": lambda: claim(users["agent2"], created["id"]),
        "supervisor": lambda: claim(users["supervisor"], created["id"]),
    })  # fmt: skip
    assert sorted(r.status_code for r in claims.values()) == [200, 409]


def test_only_the_owner_transfers_and_a_supervisor_may_reassign(client, users, db, rasa) -> None:
    created = handoff(client, "customer-161", 161, intent="block_card")
    assert claim(users["agent"], created["id"]).status_code == 200
    refused = transfer(users["agent2"], "customer-161", team="retention", note="mine now")
    assert refused.status_code == 403 and "Alex Agent has this conversation" in refused.text
    assert transfer(users["agent"], "customer-161", note="nowhere").status_code == 422
    assert transfer(users["agent"], "customer-161", team="cards", note=" ").status_code == 422
    reassigned = transfer(users["supervisor"], "customer-161", team="complaints", note="Dispute")
    assert reassigned.status_code == 200, reassigned.text
    db.expire_all()
    (moved,) = db.query(HandoffTransfer).all()
    sam = db.query(Agent).filter_by(username="supervisor").one().id
    alex = db.query(Agent).filter_by(username="agent").one().id
    assert (moved.by_agent_id, moved.from_agent_id, moved.to_team) == (sam, alex, "complaints")


def test_a_transfer_stands_when_the_assistant_cannot_tell_the_customer(
    client, users, db, monkeypatch
) -> None:
    monkeypatch.setattr(client.app.state.rasa, "_base", "http://127.0.0.1:9")
    created = handoff(client, "customer-171", 171)
    assert claim(users["agent"], created["id"]).status_code == 200
    response = transfer(users["agent"], "customer-171", team="cards", note="Card question")
    assert response.status_code == 200
    assert response.json()["customer_told"] is False
    db.expire_all()
    assert (db.get(Handoff, created["id"]).status, db.get(Handoff, created["id"]).team) == (
        "pending", "cards"
    )  # fmt: skip
