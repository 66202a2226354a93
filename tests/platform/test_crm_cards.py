"""Card freeze, unfreeze and block: idempotent, and a clear 409 when impossible."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.models import Card
from tests.platform.conftest import SERVICE_AUTH


@pytest.fixture
def card(crm_world) -> Card:
    c = crm_world.customer()
    account = crm_world.account(c)
    row = Card(
        customer_id=c.id,
        account_id=account.id,
        kind="debit",
        last4="4321",
        status="active",
        expires_on=dt.date(2030, 1, 1),
    )
    crm_world.db.add(row)
    crm_world.db.commit()
    return row


def act(client, card: Card, operation: str):
    return client.post(
        f"/api/v1/customers/{card.customer_id}/cards/{card.id}/{operation}", headers=SERVICE_AUTH
    )


def test_freeze_then_unfreeze(client, card) -> None:
    frozen = act(client, card, "freeze")
    assert frozen.status_code == 200
    assert (frozen.json()["status"], frozen.json()["previous_status"]) == ("frozen", "active")
    again = act(client, card, "freeze")
    assert again.status_code == 200 and again.json()["changed"] is False
    listed = client.get(f"/api/v1/customers/{card.customer_id}/cards", headers=SERVICE_AUTH)
    assert [(c["last4"], c["status"]) for c in listed.json()] == [("4321", "frozen")]
    assert act(client, card, "unfreeze").json()["status"] == "active"


def test_blocked_card_cannot_be_unfrozen_or_frozen(client, card) -> None:
    assert act(client, card, "block").json()["status"] == "blocked"
    assert act(client, card, "block").status_code == 200
    for operation in ("unfreeze", "freeze"):
        refused = act(client, card, operation)
        assert refused.status_code == 409
        assert "ending 4321" in refused.json()["detail"]
        assert "blocked" in refused.json()["detail"]


def test_card_of_someone_else_or_unknown_operation(crm_world, client, card) -> None:
    other = crm_world.customer()
    crm_world.db.commit()
    response = client.post(
        f"/api/v1/customers/{other.id}/cards/{card.id}/freeze", headers=SERVICE_AUTH
    )
    assert response.status_code == 404
    assert response.json()["detail"] == f"Customer {other.id} has no card with id {card.id}."
    assert act(client, card, "shred").status_code == 422
