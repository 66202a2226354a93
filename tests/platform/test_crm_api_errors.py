"""Every customer endpoint: no token 401, unknown customer 404 with a clear message, bad
input 422, and never a 500."""

from __future__ import annotations

import pytest

from tests.platform.conftest import SERVICE_AUTH

GETS = [
    "",
    "/accounts",
    "/transactions",
    "/cards",
    "/offers",
    "/churn-risk",
    "/complaints",
    "/opportunities",
]
POSTS = {
    "/cards/1/freeze": {},
    "/offer-presentations": {
        "offer_code": "CC_REWARDS",
        "context": "chat",
        "channel": "app",
        "presented_by": "bot",
    },
    "/churn-signals": {"signal": "wish_to_close"},
    "/complaints": {"category": "fees", "description": "x", "channel": "app"},
}


@pytest.mark.parametrize("path", GETS)
def test_unknown_customer_is_404_on_every_read(client, path) -> None:
    response = client.get(f"/api/v1/customers/424242{path}", headers=SERVICE_AUTH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No customer with id 424242."


@pytest.mark.parametrize(("path", "body"), POSTS.items())
def test_unknown_customer_is_404_on_every_write(client, path, body) -> None:
    response = client.post(f"/api/v1/customers/424242{path}", json=body, headers=SERVICE_AUTH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No customer with id 424242."


@pytest.mark.parametrize(
    "url",
    [
        *(f"/api/v1/customers/1{path}" for path in GETS),
        "/api/v1/analytics/response-rates",
        "/api/v1/identities/telegram/1",
    ],
)
def test_every_endpoint_needs_the_service_token(client, url) -> None:
    assert client.get(url).status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/0",
        "/api/v1/customers/-3/cards",
        "/api/v1/customers/99999999999999999999/accounts",
        "/api/v1/customers/{cid}/transactions?limit=0",
        "/api/v1/customers/{cid}/transactions?limit=100000",
        "/api/v1/customers/{cid}/transactions?since=yesterday",
        "/api/v1/customers/{cid}/transactions?kind=DROP%20TABLE",
        "/api/v1/customers/{cid}/offers?context=spam",
        "/api/v1/customers/{cid}/offers?limit=-1",
        "/api/v1/customers/{cid}/offers?channel=fax",
        "/api/v1/customers/{cid}/opportunities?status=maybe",
        "/api/v1/analytics/response-rates?since=soon",
        "/api/v1/identities/fax/123",
        "/api/v1/identities/telegram/a%00b",
    ],
)
def test_bad_input_is_422(crm_world, client, url) -> None:
    customer = crm_world.customer()
    crm_world.db.commit()
    response = client.get(url.format(cid=customer.id), headers=SERVICE_AUTH)
    assert response.status_code == 422, response.text


def test_bad_bodies_are_422(crm_world, client) -> None:
    c = crm_world.customer()
    crm_world.db.commit()
    base = f"/api/v1/customers/{c.id}"
    for path, body in (
        (
            "/offer-presentations",
            {"offer_code": "x\x00", "context": "chat", "channel": "app", "presented_by": "bot"},
        ),
        (
            "/offer-presentations",
            {"offer_code": "A" * 33, "context": "chat", "channel": "app", "presented_by": "bot"},
        ),
        ("/churn-signals", {"signal": "wish_to_close", "conversation_id": "c" * 65}),
        ("/complaints", ["not", "an", "object"]),
    ):
        assert client.post(base + path, json=body, headers=SERVICE_AUTH).status_code == 422
    raw = client.post(
        base + "/complaints",
        content=b"{not json",
        headers={**SERVICE_AUTH, "Content-Type": "application/json"},
    )
    assert raw.status_code == 422
    assert (
        client.post(
            "/api/v1/offer-presentations/0/outcome",
            json={"outcome": "accepted"},
            headers=SERVICE_AUTH,
        ).status_code
        == 422
    )


def test_identity_lookup(crm_world, client) -> None:
    from crm.models import ChannelIdentity

    c = crm_world.customer()
    crm_world.db.add(ChannelIdentity(customer_id=c.id, channel="telegram", external_id="777"))
    crm_world.db.add(
        ChannelIdentity(customer_id=c.id, channel="telegram", external_id="778", verified=False)
    )
    crm_world.db.commit()
    found = client.get("/api/v1/identities/telegram/777", headers=SERVICE_AUTH)
    assert found.json() == {"customer_id": c.id, "channel": "telegram", "external_id": "777"}
    for missing in ("778", "779"):
        response = client.get(f"/api/v1/identities/telegram/{missing}", headers=SERVICE_AUTH)
        assert response.status_code == 404
        assert response.json()["detail"] == f"No customer is linked to telegram {missing}."


def test_api_is_in_the_openapi_docs(db, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from core import config
    from server.app import create_app

    monkeypatch.setenv("API_DOCS", "true")  # off unless asked for (test_platform_security)
    config.reset()
    with TestClient(create_app()) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/customers/{customer_id}/offers",
        "/api/v1/offer-presentations/{presentation_id}/outcome",
        "/api/v1/customers/{customer_id}/churn-signals",
        "/api/v1/analytics/response-rates",
        "/api/v1/identities/{channel}/{external_id}",
    ):
        assert path in paths
