"""Closed loop: each presentation and its outcome is recorded and shows up in response rates."""

from __future__ import annotations

import datetime as dt

from crm.clock import business_now
from crm.models import OfferPresentation, Opportunity
from tests.platform.conftest import SERVICE_AUTH


def _customer(world):
    c = world.customer(age=35)
    world.steady_history(world.account(c), "30000", salary="12000")
    world.analyse(c)
    return c


def _present(client, customer_id, code, **extra):
    body = {
        "offer_code": code,
        "context": "chat",
        "channel": "app",
        "presented_by": "bot",
        "conversation_id": "conv-1",
        **extra,
    }
    return client.post(
        f"/api/v1/customers/{customer_id}/offer-presentations", json=body, headers=SERVICE_AUTH
    )


def _outcome(client, presentation_id, outcome):
    return client.post(
        f"/api/v1/offer-presentations/{presentation_id}/outcome",
        json={"outcome": outcome},
        headers=SERVICE_AUTH,
    )


def test_presentation_and_outcome_are_recorded(crm_world, client) -> None:
    c = _customer(crm_world)
    created = _present(client, c.id, "CC_REWARDS", presented_by="assistant")
    assert created.status_code == 201
    shown = created.json()
    assert shown["presented_by"] == "assistant"
    assert shown["segment"] == "high_potential_low_contribution"
    assert 0 < shown["propensity"] < 1
    assert shown["outcome"] is None

    accepted = _outcome(client, shown["id"], "accepted")
    assert accepted.status_code == 200
    assert accepted.json()["outcome"] == "accepted"
    row = crm_world.db.get(OfferPresentation, shown["id"])
    assert (row.outcome, row.channel, row.context, row.conversation_id) == (
        "accepted",
        "app",
        "chat",
        "conv-1",
    )
    assert row.outcome_at is not None

    assert _outcome(client, shown["id"], "accepted").status_code == 200  # same answer again
    conflict = _outcome(client, shown["id"], "declined")
    assert conflict.status_code == 409
    assert "already recorded as accepted" in conflict.json()["detail"]


def test_ignored_can_later_be_accepted(crm_world, client) -> None:
    c = _customer(crm_world)
    shown = _present(client, c.id, "CC_REWARDS").json()
    assert _outcome(client, shown["id"], "ignored").json()["outcome"] == "ignored"
    assert _outcome(client, shown["id"], "accepted").json()["outcome"] == "accepted"


def test_customer_history_lists_what_was_shown_newest_first(crm_world, client) -> None:
    c = _customer(crm_world)
    first = _present(client, c.id, "CC_REWARDS", channel="telegram").json()
    _outcome(client, first["id"], "declined")
    second = _present(client, c.id, "SAV_BONUS").json()
    other = _customer(crm_world)
    _present(client, other.id, "CC_REWARDS")

    history = client.get(f"/api/v1/customers/{c.id}/offer-presentations", headers=SERVICE_AUTH)
    assert history.status_code == 200
    rows = [(r["id"], r["offer_code"], r["channel"], r["outcome"]) for r in history.json()]
    assert rows == [
        (second["id"], "SAV_BONUS", "app", None),
        (first["id"], "CC_REWARDS", "telegram", "declined"),
    ]
    assert client.get(f"/api/v1/customers/{c.id}/offer-presentations").status_code == 401
    unknown = client.get("/api/v1/customers/999999/offer-presentations", headers=SERVICE_AUTH)
    assert unknown.status_code == 404


def test_response_rates_by_segment_channel_and_offer(crm_world, client) -> None:
    c = _customer(crm_world)
    first = _present(client, c.id, "CC_REWARDS").json()
    second = _present(client, c.id, "LOAN_PERSONAL", channel="telegram").json()
    _present(client, c.id, "WM_MMF")
    _outcome(client, first["id"], "accepted")
    _outcome(client, second["id"], "declined")

    rows = client.get(
        "/api/v1/analytics/response-rates",
        headers=SERVICE_AUTH,
        params={"by": "segment,channel,offer"},
    ).json()
    table = {(r["segment"], r["channel"], r["offer_code"]): r for r in rows}
    segment = "high_potential_low_contribution"
    cards = table[(segment, "app", "CC_REWARDS")]
    assert (cards["presented"], cards["accepted"], cards["response_rate"]) == (1, 1, 1.0)
    loans = table[(segment, "telegram", "LOAN_PERSONAL")]
    assert (loans["declined"], loans["response_rate"]) == (1, 0.0)
    assert table[(segment, "app", "WM_MMF")]["pending"] == 1

    by_channel = client.get(
        "/api/v1/analytics/response-rates", headers=SERVICE_AUTH, params={"by": "channel"}
    ).json()
    assert {r["channel"]: r["presented"] for r in by_channel} == {"app": 2, "telegram": 1}
    assert set(by_channel[0]) == {
        "channel",
        "presented",
        "accepted",
        "declined",
        "ignored",
        "pending",
        "response_rate",
    }


def test_accepting_a_wealth_offer_closes_the_deposit_opportunity(crm_world, client) -> None:
    c = _customer(crm_world)
    crm_world.db.add(
        Opportunity(
            customer_id=c.id,
            kind="large_deposit",
            offer_category="wealth",
            reason="Large deposit.",
            figures={},
            expires_at=business_now() + dt.timedelta(days=10),
        )
    )
    crm_world.db.commit()
    shown = _present(client, c.id, "WM_MMF", context="event").json()
    _outcome(client, shown["id"], "accepted")
    crm_world.db.expire_all()
    assert crm_world.db.query(Opportunity).one().status == "converted"
    opportunities = client.get(f"/api/v1/customers/{c.id}/opportunities", headers=SERVICE_AUTH)
    assert opportunities.json() == []
    everything = client.get(
        f"/api/v1/customers/{c.id}/opportunities?status=all", headers=SERVICE_AUTH
    )
    assert [o["status"] for o in everything.json()] == ["converted"]


def test_closed_loop_bad_input(crm_world, client) -> None:
    c = _customer(crm_world)
    unknown = _present(client, c.id, "NO_SUCH_OFFER")
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "No active offer with code 'NO_SUCH_OFFER'."
    assert _present(client, c.id, "CC_REWARDS", presented_by="robot").status_code == 422
    assert _present(client, c.id, "CC_REWARDS", context="email").status_code == 422
    missing = _outcome(client, 987654, "accepted")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No offer presentation with id 987654."
    shown = _present(client, c.id, "CC_REWARDS").json()
    assert _outcome(client, shown["id"], "maybe").status_code == 422
    bad_by = client.get(
        "/api/v1/analytics/response-rates", params={"by": "segment,colour"}, headers=SERVICE_AUTH
    )
    assert bad_by.status_code == 422 and "colour" in bad_by.json()["detail"]
