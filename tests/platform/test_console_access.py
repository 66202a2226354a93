"""Who may use the console API: login required, owners only act, supervisors only see the
dashboard, CSRF and same-origin on every change, and markup from customers stays text."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from agent_console.models import AuditEntry
from conversations.models import Handoff
from tests.platform.console_helpers import (
    ConsoleUser,
    handoff,
    seed_users,
)


@pytest.mark.parametrize(
    "path",
    [
        "/console/api/queue",
        "/console/api/conversations/customer-1",
        "/console/api/conversations/customer-1/customer",
        "/console/api/conversations/customer-1/suggestions",
        "/console/api/dashboard",
    ],
)
def test_no_customer_data_without_login(client, db, path) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert "Log in" in response.json()["detail"]


def test_no_claim_without_login(client, db) -> None:
    created = handoff(client, "customer-1", 1)
    response = client.post(f"/console/api/handoffs/{created['id']}/claim", json={})
    assert response.status_code == 401
    db.expire_all()
    assert db.get(Handoff, created["id"]).status == "pending"


def test_console_socket_needs_a_login(client, db) -> None:
    with (
        client.websocket_connect("/console/ws") as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_json()
    assert closed.value.code == 4401


def test_console_socket_refuses_another_origin(client, users) -> None:
    headers = users["agent"].headers() | {"Origin": "https://evil.example"}
    with (
        client.websocket_connect("/console/ws", headers=headers) as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_json()
    assert closed.value.code == 4401


def test_claim_needs_the_csrf_token_and_the_consoles_origin(client, users, db) -> None:
    created = handoff(client, "customer-2", 2)
    path = f"/console/api/handoffs/{created['id']}/claim"
    assert users["agent"].post(path, csrf=False).status_code == 403
    wrong = users["agent"].headers() | {"X-CSRF-Token": users["agent2"].csrf}
    assert client.post(path, json={}, headers=wrong).status_code == 403
    cross_site = {"Origin": "https://evil.example"}
    assert users["agent"].post(path, headers=cross_site).status_code == 403
    db.expire_all()
    assert db.get(Handoff, created["id"]).status == "pending"
    assert users["agent"].post(path).status_code == 200


def test_an_agent_cannot_act_on_a_conversation_another_agent_owns(client, users, db) -> None:
    created = handoff(client, "customer-3", 3)
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    other = users["agent2"]
    base = "/console/api/conversations/customer-3"
    attempts = [
        other.post(f"{base}/messages", {"text": "hello from someone else"}),
        other.post(f"{base}/hand-back", {"notes": ""}),
        other.post(f"{base}/close", {"disposition": "resolved", "notes": ""}),
        other.post(f"{base}/offers/CC_REWARDS/present"),
        other.get(base),
        other.get(f"{base}/customer"),
        other.get(f"{base}/suggestions"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.request.url
        assert "Alex Agent has this conversation" in response.json()["detail"]
    db.expire_all()
    row = db.get(Handoff, created["id"])
    assert (row.status, row.disposition) == ("claimed", None)


def test_acting_before_claiming_is_refused(client, users) -> None:
    handoff(client, "customer-4", 4)
    response = users["agent"].post("/console/api/conversations/customer-4/messages", {"text": "hi"})
    assert response.status_code == 403
    assert "Claim this conversation" in response.json()["detail"]


def test_only_supervisors_see_the_dashboard(client, users) -> None:
    for name in ("agent", "agent2"):
        assert users[name].get("/console/api/dashboard").status_code == 403
        assert users[name].get("/console/dashboard").status_code == 403
    response = users["supervisor"].get("/console/api/dashboard")
    assert response.status_code == 200
    assert {"waiting", "active", "closed", "containment_rate"} <= set(response.json())
    page = users["supervisor"].get("/console/dashboard")
    assert page.status_code == 200 and "/static/dashboard.js" in page.text


def test_designers_do_not_get_customer_data(client, db) -> None:
    seed_users()
    designer = ConsoleUser(client, "designer")
    assert designer.get("/console/api/queue").status_code == 403
    assert designer.get("/console/api/conversations/customer-1").status_code == 403
    assert designer.get("/console", follow_redirects=False).headers["location"] == "/console/review"


XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def test_markup_in_customer_data_is_escaped_in_the_console_page(client, users, db) -> None:
    from tests.platform.test_customer_api import _customer_with_account

    customer = _customer_with_account(db)
    customer.full_name = XSS
    db.commit()
    page = users["agent"].get("/console", params={"customer_no": customer.customer_no})
    assert page.status_code == 200
    assert XSS not in page.text
    assert (
        "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in (page.text)
    )
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_markup_in_a_handoff_summary_reaches_the_console_only_as_json_text(client, users) -> None:
    handoff(client, "customer-5", 5, summary=f"Last messages: {XSS}")
    response = users["agent"].get("/console/api/queue")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    (item,) = response.json()["waiting"]
    assert item["summary"] == f"Last messages: {XSS}"  # the browser sets it as textContent


def test_looking_up_a_customer_is_audited(client, users, db) -> None:
    from tests.platform.test_customer_api import _customer_with_account

    customer = _customer_with_account(db)
    users["agent2"].get("/console", params={"customer_no": customer.customer_no})
    entries = db.query(AuditEntry).filter_by(customer_id=customer.id).all()
    assert [(e.action, e.agent_id) for e in entries] == [
        ("lookup_customer", users["agent2"].get("/console/api/queue").json()["me"]["id"])
    ]
