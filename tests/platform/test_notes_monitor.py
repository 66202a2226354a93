"""Internal notes, supervisor monitoring (whisper, take over, reassign) and the relationship
timeline, on SQLite and PostgreSQL: what agents and supervisors would notice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from agent_console import lifecycle
from agent_console.guards import Who
from agent_console.models import Agent, AuditEntry
from agent_console.passwords import hash_password
from conversations.models import Conversation, Handoff
from conversations.note_models import ConversationNote
from conversations.team_models import HandoffTransfer
from crm.clock import utcnow
from crm.models import Complaint, Interaction, OfferPresentation
from tests.platform.conftest import SERVICE_AUTH, app_token_for
from tests.platform.console_helpers import PASSWORD, ConsoleUser, handoff

CARD = "4111 1111 1111 1111"


def claimed(client, users, conversation_id: str, customer_id: int, name: str = "agent") -> dict:
    created = handoff(client, conversation_id, customer_id)
    assert users[name].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    return created


def finish(db, conversation_id: str, username: str, notes: str = "") -> None:
    """The owner closes it (the close endpoint also needs Rasa; the browser tests use it)."""
    agent = db.query(Agent).filter_by(username=username).one()
    who = Who(agent.id, agent.username, agent.display_name, agent.role, "")
    granted = lifecycle.acting(db, conversation_id, who)
    lifecycle.finish(db, granted, who, "close", "resolved", notes)


def second_supervisor(client, db) -> ConsoleUser:
    db.add(Agent(username="sup2", display_name="Sol Supervisor", role="supervisor",
                 password_hash=hash_password(PASSWORD), active=True, failed_logins=0))  # fmt: skip
    db.commit()
    return ConsoleUser(client, "sup2")


def at_once(*calls) -> dict:
    """Every (name, user, path, body) is posted at the same moment (threads behind a barrier)."""
    start = threading.Barrier(len(calls))
    results: dict = {}

    def post(name, user, path, body) -> None:
        start.wait()
        results[name] = user.post(path, body)

    threads = [threading.Thread(target=post, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# --- internal notes ------------------------------------------------------------------------


def test_a_note_is_read_by_the_next_agent_with_author_and_time_and_masked(client, users, db):
    claimed(client, users, "customer-51", 51)
    base = "/console/api/conversations/customer-51"
    text = f"Wants the fee refunded; paid with {CARD}. Call after 5 pm."
    added = users["agent"].post(f"{base}/notes", {"text": text})
    assert added.status_code == 201, added.text
    finish(db, "customer-51", "agent")
    db.commit()
    claimed(client, users, "customer-51", 51, name="agent2")  # the customer asks again
    (note,) = users["agent2"].get(f"{base}/notes").json()["notes"]
    assert (note["kind"], note["author"]) == ("note", "Alex Agent")
    assert note["text"] == "Wants the fee refunded; paid with [CARD ****1111]. Call after 5 pm."
    assert abs(note["time"] - utcnow().replace(tzinfo=dt.UTC).timestamp()) < 60
    assert CARD not in str(db.query(ConversationNote.text).all())


def test_only_the_owner_or_a_supervisor_writes_notes(client, users, db):
    claimed(client, users, "customer-52", 52)
    base = "/console/api/conversations/customer-52"
    assert users["agent2"].post(f"{base}/notes", {"text": "mine now"}).status_code == 403
    assert users["agent"].post(f"{base}/notes", {"text": "x"}, csrf=False).status_code == 403
    assert users["agent"].post(f"{base}/notes", {"text": "   "}).status_code == 422
    assert (
        users["supervisor"].post(f"{base}/notes", {"text": "Check the fee waiver."}).status_code
        == 201
    )
    assert [n["author"] for n in users["agent"].get(f"{base}/notes").json()["notes"]] == [
        "Sam Supervisor"
    ]


# --- whisper -------------------------------------------------------------------------------


def test_a_whisper_reaches_only_the_owning_agent_and_never_the_customer(
    client, users, db, monkeypatch
):
    claimed(client, users, "customer-53", 53)
    # Rasa is unreachable: a whisper never goes through it, so it is sent all the same.
    monkeypatch.setattr(client.app.state.rasa, "_base", "http://127.0.0.1:9")
    secret = "Offer the fee waiver, not the card upgrade."
    with (
        client.websocket_connect("/chat/ws") as customer,
        client.websocket_connect("/console/ws", headers=users["agent"].headers()) as alex,
        client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as bea,
    ):
        customer.send_json({"token": app_token_for(53)})
        assert customer.receive_json()["type"] == "ready"
        assert alex.receive_json()["type"] == "ready"
        assert bea.receive_json()["type"] == "ready"
        sent = users["supervisor"].post(
            "/console/api/conversations/customer-53/whisper", {"text": secret}
        )
        assert sent.status_code == 201, sent.text
        heard = alex.receive_json()
        assert (heard["type"], heard["conversation_id"]) == ("whisper", "customer-53")
        assert (heard["note"]["text"], heard["note"]["author"]) == (secret, "Sam Supervisor")
        # What comes next on Bea's console and on the customer's page is the next real event.
        handoff(client, "customer-54", 54)
        assert bea.receive_json()["type"] == "handoff.created"
        delivered = client.post(
            "/api/v1/deliveries",
            json={"conversation_id": "customer-53", "message": {"text": "An agent says hi."}},
            headers=SERVICE_AUTH,
        )
        assert delivered.status_code == 202
        assert customer.receive_json() == {
            "type": "message",
            "message": {"text": "An agent says hi."},
        }
    row = db.query(ConversationNote).filter_by(kind="whisper").one()
    assert row.to_agent_id == db.query(Agent).filter_by(username="agent").one().id
    base = "/console/api/conversations/customer-53/notes"
    assert [n["text"] for n in users["agent"].get(base).json()["notes"]] == [secret]
    # Bea cannot read the conversation; were it handed to her later, the whisper stays Alex's.
    finish(db, "customer-53", "agent")
    db.commit()
    claimed(client, users, "customer-53", 53, name="agent2")
    assert users["agent2"].get(base).json()["notes"] == []
    assert db.query(AuditEntry).filter_by(action="whisper").count() == 1


def test_agents_cannot_whisper(client, users, db):
    claimed(client, users, "customer-55", 55)
    path = "/console/api/conversations/customer-55/whisper"
    response = users["agent2"].post(path, {"text": "psst"})
    assert response.status_code == 403 and response.json()["detail"] == "Supervisors only."
    assert users["agent"].post(path, {"text": "psst"}).status_code == 403
    assert users["supervisor"].post(path, {"text": "psst"}, csrf=False).status_code == 403
    assert db.query(ConversationNote).count() == 0


def test_a_whisper_needs_an_agent_who_has_the_conversation(client, users):
    handoff(client, "customer-56", 56)
    response = users["supervisor"].post(
        "/console/api/conversations/customer-56/whisper", {"text": "psst"}
    )
    assert response.status_code == 409


# --- the monitor ---------------------------------------------------------------------------


def test_the_monitor_lists_waiting_and_open_conversations_with_agent_and_wait(client, users, db):
    claimed(client, users, "customer-57", 57)
    handoff(client, "customer-58", 58, reason="retention", priority="high")
    assert users["agent"].get("/console/api/monitor").status_code == 403
    assert users["agent"].get("/console/monitor").status_code == 403
    page = users["supervisor"].get("/console/monitor")
    assert page.status_code == 200 and "/static/console/monitor.js" in page.text
    data = users["supervisor"].get("/console/api/monitor").json()
    rows = {r["conversation_id"]: r for r in data["conversations"]}
    assert set(rows) == {"customer-57", "customer-58"}
    assert (rows["customer-57"]["status"], rows["customer-57"]["agent"]) == (
        "claimed",
        "Alex Agent",
    )
    assert rows["customer-57"]["with_agent_seconds"] is not None
    assert (rows["customer-58"]["status"], rows["customer-58"]["agent"]) == ("pending", None)
    assert rows["customer-58"]["wait_seconds"] >= 0
    assert {"team", "sla_state", "sla_due_at"} <= set(rows["customer-58"])
    names = {a["name"]: a["open"] for a in data["agents"]}
    assert names["Alex Agent"] == 1 and names["Bea Agent"] == 0
    # Reading along: supervisors may look at any open conversation (read-only).
    assert (
        users["supervisor"]
        .post("/console/api/conversations/customer-57/messages", {"text": "hi"})
        .status_code
        == 403
    )


def test_take_over_makes_the_supervisor_the_owner_and_tells_the_agent(client, users, db):
    created = claimed(client, users, "customer-59", 59)
    path = "/console/api/monitor/conversations/customer-59/take-over"
    assert users["agent2"].post(path).status_code == 403
    with client.websocket_connect("/console/ws", headers=users["agent"].headers()) as alex:
        assert alex.receive_json()["type"] == "ready"
        response = users["supervisor"].post(path)
        assert response.status_code == 200, response.text
        events = [alex.receive_json() for _ in range(3)]
    moved = next(e for e in events if e["type"] == "conversation.moved")
    assert (moved["how"], moved["by"], moved["conversation_id"]) == (
        "taken_over", "Sam Supervisor", "customer-59"
    )  # fmt: skip
    db.expire_all()
    sam = db.query(Agent).filter_by(username="supervisor").one()
    row = db.get(Handoff, created["id"])
    assert (row.status, row.claimed_by) == ("claimed", sam.id)
    assert db.get(Conversation, "customer-59").assigned_agent_id == sam.id
    mine = users["supervisor"].get("/console/api/queue").json()["mine"]
    assert [m["conversation_id"] for m in mine] == ["customer-59"]
    gone = users["agent"].post("/console/api/conversations/customer-59/notes", {"text": "x"})
    assert gone.status_code == 403
    assert db.query(AuditEntry).filter_by(action="take_over").count() == 1


def test_reassign_gives_it_to_another_agent_with_a_note(client, users, db):
    created = claimed(client, users, "customer-60", 60)
    bea = db.query(Agent).filter_by(username="agent2").one()
    alex = db.query(Agent).filter_by(username="agent").one()
    path = "/console/api/monitor/conversations/customer-60/reassign"
    seen = {"expected_status": "claimed", "expected_agent_id": alex.id}
    with client.websocket_connect("/console/ws", headers=users["agent2"].headers()) as socket:
        assert socket.receive_json()["type"] == "ready"
        response = users["supervisor"].post(
            path, seen | {"agent_id": bea.id, "note": "Bea knows this customer."}
        )
        assert response.status_code == 200, response.text
        events = [socket.receive_json() for _ in range(3)]
    assert {"handoff.transferred", "handoff.claimed", "conversation.moved"} == {
        e["type"] for e in events
    }
    assert response.json()["customer_told"] is False  # no Rasa here; moved all the same
    db.expire_all()
    assert db.get(Handoff, created["id"]).claimed_by == bea.id
    # The routing feature's transfer record holds the note Bea reads first.
    (moved,) = db.query(HandoffTransfer).filter_by(handoff_id=created["id"]).all()
    assert (moved.from_agent_id, moved.to_agent_id, moved.note) == (
        alex.id, bea.id, "Bea knows this customer."
    )  # fmt: skip
    mine = users["agent2"].get("/console/api/queue").json()["mine"]
    assert [m["conversation_id"] for m in mine] == ["customer-60"]
    again = users["supervisor"].post(path, seen | {"agent_id": bea.id})
    assert again.status_code == 409  # Alex no longer has it: the supervisor saw an old state
    assert db.query(AuditEntry).filter_by(action="reassign").count() == 1


def test_take_over_and_reassign_at_once_settle_once(client, users, db):
    sol = second_supervisor(client, db)
    bea = db.query(Agent).filter_by(username="agent2").one()
    alex = db.query(Agent).filter_by(username="agent").one()
    for round_ in range(4):
        conversation = f"customer-{70 + round_}"
        created = claimed(client, users, conversation, 70 + round_)
        base = f"/console/api/monitor/conversations/{conversation}"
        seen = {"expected_status": "claimed", "expected_agent_id": alex.id}
        results = at_once(
            ("take", users["supervisor"], f"{base}/take-over", seen),
            ("give", sol, f"{base}/reassign", seen | {"agent_id": bea.id}),
        )
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 409], {n: r.text for n, r in results.items()}
        winner = next(n for n, r in results.items() if r.status_code == 200)
        db.expire_all()
        owner = db.get(Handoff, created["id"]).claimed_by
        sam = db.query(Agent).filter_by(username="supervisor").one()
        assert owner == (sam.id if winner == "take" else bea.id)
    moves = db.query(AuditEntry).filter(AuditEntry.action.in_(["take_over", "reassign"])).count()
    assert moves == 4


def test_a_conversation_the_owner_closed_is_not_taken_over(client, users, db):
    created = claimed(client, users, "customer-61", 61)
    alex = db.query(Agent).filter_by(username="agent").one()
    finish(db, "customer-61", "agent")
    db.commit()
    response = users["supervisor"].post(
        "/console/api/monitor/conversations/customer-61/take-over",
        {"expected_status": "claimed", "expected_agent_id": alex.id},
    )
    assert response.status_code == 409
    db.expire_all()
    assert db.get(Handoff, created["id"]).status == "closed"


# --- the relationship timeline -------------------------------------------------------------


def test_the_timeline_holds_every_interaction_newest_first_and_masked(client, users, db, crm_world):
    customer = crm_world.customer()
    cid = customer.id
    now = utcnow()
    at = lambda days: now - dt.timedelta(days=days)  # noqa: E731
    db.add_all([
        Interaction(customer_id=cid, channel="phone", kind="card_question",
                    summary=f"Asked about card {CARD}", occurred_at=at(30)),
        Interaction(customer_id=cid, channel="branch", kind="address_change",
                    summary="Moved to Shanghai", occurred_at=at(20)),
        Interaction(customer_id=cid, channel="app", kind="card_block",
                    summary="Card ending 1111: active -> blocked", occurred_at=at(10)),
        Complaint(reference="CMP-T-1", customer_id=cid, category="dispute",
                  description=f"I never paid this, my card {CARD}", channel="app",
                  status="open", created_at=at(8), sla_due=at(8).date() + dt.timedelta(days=21)),
        Interaction(customer_id=cid, channel="app", kind="complaint",
                    summary="Complaint CMP-T-1 (dispute)", occurred_at=at(8)),
        OfferPresentation(customer_id=cid, offer_code="CC_REWARDS", context="agent",
                          channel="app", presented_by="agent", conversation_id=f"customer-{cid}",
                          presented_at=at(6), outcome="declined", outcome_at=at(6)),
    ])  # fmt: skip
    db.commit()
    earlier = claimed(client, users, f"customer-{cid}", cid)
    users["agent"].post(
        f"/console/api/conversations/customer-{cid}/notes", {"text": "Prefers calls after 5 pm."}
    )
    users["supervisor"].post(
        f"/console/api/conversations/customer-{cid}/whisper", {"text": "private word"}
    )
    finish(db, f"customer-{cid}", "agent", notes="Call back on 13900001234 tomorrow")
    db.query(Handoff).filter_by(id=earlier["id"]).update({"created_at": at(3)})
    db.query(ConversationNote).update({"created_at": at(2)})
    db.commit()
    claimed(client, users, f"customer-{cid}", cid, name="agent2")
    response = users["agent2"].get(f"/console/api/conversations/customer-{cid}/timeline")
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["handoff", "note", "handoff", "offer", "dispute", "card", "contact", "contact"]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    text = str(entries)
    assert CARD not in text and "13900001234" not in text and "private word" not in text
    assert "[CARD ****1111]" in text
    closed = entries[2]
    assert "resolved by Alex Agent" in closed["title"] and "Call back on" in closed["detail"]
    assert entries[1]["title"] == "Note by Alex Agent"
    assert "declined" in entries[3]["detail"]
    assert entries[4]["title"].startswith("Dispute CMP-T-1 (dispute): open")
    assert [e["channel"] for e in entries[-2:]] == ["branch", "phone"]
    audit = db.query(AuditEntry).filter_by(action="view_timeline").one()
    assert audit.customer_id == cid


def test_no_timeline_for_someone_who_may_not_look(client, users, db, crm_world):
    customer = crm_world.customer()
    db.commit()
    claimed(client, users, f"customer-{customer.id}", customer.id)
    path = f"/console/api/conversations/customer-{customer.id}/timeline"
    assert users["agent2"].get(path).status_code == 403
    assert users["supervisor"].get(path).status_code == 200


def test_a_waiting_customer_can_be_given_straight_to_an_agent(client, users, db):
    created = handoff(client, "customer-62", 62)
    bea = db.query(Agent).filter_by(username="agent2").one()
    response = users["supervisor"].post(
        "/console/api/monitor/conversations/customer-62/reassign",
        {"agent_id": bea.id, "expected_status": "pending"},
    )
    assert response.status_code == 200, response.text
    db.expire_all()
    row = db.get(Handoff, created["id"])
    assert (row.status, row.claimed_by) == ("claimed", bea.id)
    assert db.get(Conversation, "customer-62").status == "open"
    assert users["agent"].get("/console/api/queue").json()["waiting"] == []


@pytest.mark.usefixtures("tracker")
def test_notes_and_whispers_go_with_the_customers_erasure(client, users, db, crm_world):
    leaving, staying = crm_world.customer(), crm_world.customer()
    db.commit()
    gone, kept = f"customer-{leaving.id}", f"customer-{staying.id}"
    claimed(client, users, gone, leaving.id)
    claimed(client, users, kept, staying.id, name="agent2")
    base = "/console/api/conversations/"
    users["agent"].post(f"{base}{gone}/notes", {"text": "leaving us"})
    users["supervisor"].post(f"{base}{gone}/whisper", {"text": "be kind"})
    users["agent2"].post(f"{base}{kept}/notes", {"text": "staying"})
    response = client.post(f"/api/v1/customers/{leaving.id}/erasure", headers=SERVICE_AUTH)
    assert response.status_code == 200, response.text
    db.expire_all()
    assert [n.text for n in db.query(ConversationNote).all()] == ["staying"]
