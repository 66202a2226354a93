"""Access that ends when the work ends, and limits where abuse is cheap."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.websockets import WebSocketDisconnect

from agent_console import lifecycle
from agent_console.guards import Who
from agent_console.models import Agent
from core import app_token
from crm.clock import utcnow
from crm.models import ChannelIdentity
from tests.platform.conftest import SERVICE_AUTH, TEST_ENV
from tests.platform.console_helpers import PASSWORD, handoff, seed_users


def claimed_by_agent(client, users, customer_id: int) -> str:
    conversation = f"customer-{customer_id}"
    created = handoff(client, conversation, customer_id)
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    return conversation


@pytest.mark.parametrize("wrap_up", ["120", "0"])
def test_access_ends_with_the_claim_after_the_wrap_up(
    client, users, crm_world, db, monkeypatch, wrap_up
) -> None:
    from core import config

    monkeypatch.setenv("WRAP_UP_SECONDS", wrap_up)
    config.reset()
    customer = crm_world.customer()
    crm_world.db.commit()
    conversation = claimed_by_agent(client, users, customer.id)
    agent = users["agent"]
    assert agent.get(f"/console/api/conversations/{conversation}/customer").status_code == 200
    me = agent.get("/console/api/queue").json()["me"]
    who = Who(me["id"], "agent", me["name"], "agent", "")
    lifecycle.finish(db, lifecycle.acting(db, conversation, who), who, "close", "resolved", "")
    looks = [
        agent.get(f"/console/api/conversations/{conversation}/customer").status_code,
        agent.get(f"/console/api/conversations/{conversation}").status_code,
    ]
    if wrap_up == "0":
        assert looks == [403, 403]  # the 360 and the history are someone else's business now
    else:
        assert looks[0] == 200  # a last look while writing the notes


def test_the_console_socket_closes_when_the_agent_logs_out(client, users) -> None:
    agent = users["agent"]
    with client.websocket_connect("/console/ws", headers=agent.headers()) as socket:
        assert socket.receive_json()["type"] == "ready"
        home = client.get("/console", headers=agent.headers()).text
        csrf = home.split('name="csrf_token" value="')[1].split('"')[0]
        out = client.post("/console/logout", data={"csrf_token": csrf},
                          headers=agent.headers(), follow_redirects=False)  # fmt: skip
        assert out.status_code == 303
        with pytest.raises(WebSocketDisconnect) as closed:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                socket.receive_json()
        assert closed.value.code == 4401


def test_the_chat_socket_closes_when_the_app_token_expires(client) -> None:
    # Long enough for the socket to open on a loaded machine; the close is timed from issue.
    issued, ttl = time.time(), 6
    token = app_token.issue(77, TEST_ENV["APP_JWT_SECRET"], ttl_seconds=ttl)
    with client.websocket_connect("/chat/ws") as socket:
        socket.send_json({"token": token})
        assert socket.receive_json()["type"] == "ready"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert (closed.value.code, closed.value.reason) == (4401, "The app token expired.")
    assert ttl - 1.5 < time.time() - issued < ttl + 15  # at the expiry, not at some later sweep


def test_parallel_wrong_passwords_lock_the_account(client, db) -> None:
    seed_users()
    answers: list[int] = []

    def guess() -> None:
        response = client.post("/console/login", data={"username": "agent2", "password": "x"},
                               follow_redirects=False)  # fmt: skip
        answers.append(response.status_code)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [401] * 40
    db.expire_all()
    row = db.query(Agent).filter_by(username="agent2").one()
    assert row.locked_until is not None and row.locked_until > utcnow()
    right = client.post("/console/login", data={"username": "agent2", "password": PASSWORD},
                        follow_redirects=False)  # fmt: skip
    assert right.status_code == 401  # locked (and throttled): the right password waits too


def test_locked_unknown_and_wrong_all_read_the_same(client, db) -> None:
    seed_users()
    texts = set()
    for username, password in (("nobody", "x"), ("agent", "wrong")):
        response = client.post("/console/login", data={"username": username, "password": password})
        texts.add(response.text)
    for _ in range(6):
        client.post("/console/login", data={"username": "supervisor", "password": "wrong"})
    locked = client.post("/console/login", data={"username": "supervisor", "password": PASSWORD})
    texts.add(locked.text)
    assert len(texts) == 1


def test_one_address_cannot_guess_its_way_through_every_account(client, db) -> None:
    seed_users()
    answers = [
        client.post("/console/login", data={"username": f"user{n}", "password": "x"},
                    follow_redirects=False).status_code
        for n in range(31)
    ]  # fmt: skip
    assert answers == [401] * 31
    again = client.post("/console/login", data={"username": "agent", "password": PASSWORD},
                        follow_redirects=False)  # fmt: skip
    assert again.status_code == 401  # this address is throttled for a while


def test_a_conversation_cannot_flood_the_queue(client, db) -> None:
    answers = [
        client.post("/api/v1/handoffs", headers=SERVICE_AUTH, json={
            "conversation_id": "telegram-1234", "customer_id": None, "channel": "telegram",
            "reason": "customer_request"}).status_code
        for _ in range(7)
    ]  # fmt: skip
    assert answers[0] == 201 and answers[-1] == 429


def test_anonymous_requests_cannot_fill_the_queue(client, db) -> None:
    from conversations import handoffs

    statuses = [
        client.post("/api/v1/handoffs", headers=SERVICE_AUTH, json={
            "conversation_id": f"telegram-{n}", "customer_id": None, "channel": "telegram",
            "reason": "customer_request"}).status_code
        for n in range(handoffs.MAX_ANONYMOUS_WAITING + 1)
    ]  # fmt: skip
    assert statuses[:-1] == [201] * handoffs.MAX_ANONYMOUS_WAITING
    assert statuses[-1] == 429
    known = client.post("/api/v1/handoffs", headers=SERVICE_AUTH, json={
        "conversation_id": "customer-5", "customer_id": 5, "channel": "app",
        "reason": "customer_request"})  # fmt: skip
    assert known.status_code == 201  # the bank's customers still get through


def test_a_new_link_code_revokes_the_older_one_and_a_chat_can_unlink(client, crm_world) -> None:
    customer = crm_world.customer()
    crm_world.db.commit()
    path = f"/api/v1/customers/{customer.id}/link-codes"
    old = client.post(path, json={"channel": "telegram"}, headers=SERVICE_AUTH).json()["code"]
    new = client.post(path, json={"channel": "telegram"}, headers=SERVICE_AUTH).json()["code"]
    redeem = "/api/v1/identities/telegram/redeem"
    stale = client.post(redeem, json={"code": old, "external_id": "9001"}, headers=SERVICE_AUTH)
    assert stale.status_code == 400
    fresh = client.post(redeem, json={"code": new, "external_id": "9001"}, headers=SERVICE_AUTH)
    assert fresh.status_code == 200
    gone = client.post("/api/v1/identities/telegram/9001/unlink", headers=SERVICE_AUTH)
    assert gone.json() == {"unlinked": True}
    crm_world.db.expire_all()
    assert crm_world.db.query(ChannelIdentity).filter_by(external_id="9001").count() == 0
    assert client.get("/api/v1/identities/telegram/9001", headers=SERVICE_AUTH).status_code == 404


def test_a_list_cannot_be_asked_for_without_a_limit(client, db) -> None:
    for path in ("/api/v1/handoffs?limit=-1", "/api/v1/handoffs?limit=100000"):
        assert client.get(path, headers=SERVICE_AUTH).status_code == 422


def test_the_queue_hands_out_the_most_urgent_page(client, users) -> None:
    from agent_console import work_queue

    for n in range(work_queue.QUEUE_PAGE + 3):
        handoff(client, f"customer-{1000 + n}", 1000 + n)
    queue = users["agent"].get("/console/api/queue").json()
    assert len(queue["waiting"]) == work_queue.QUEUE_PAGE
    assert queue["waiting_total"] == work_queue.QUEUE_PAGE + 3

