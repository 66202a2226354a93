"""Complaints get a reference and SLA date; fees, falling balances, complaints and a stated
wish to close raise the churn risk, each named among its top factors."""

from __future__ import annotations

import datetime as dt
import re

from crm.clock import business_now
from crm.ledger import post
from crm.models import Complaint
from crm.service.cases import add_business_days
from tests.platform.conftest import SERVICE_AUTH


def _risk(client, customer_id: int) -> dict:
    response = client.get(f"/api/v1/customers/{customer_id}/churn-risk", headers=SERVICE_AUTH)
    assert response.status_code == 200
    return response.json()


def test_complaint_gets_reference_and_sla_due_date(crm_world, client) -> None:
    c = crm_world.customer()
    crm_world.db.commit()
    response = client.post(
        f"/api/v1/customers/{c.id}/complaints",
        headers=SERVICE_AUTH,
        json={"category": "cards", "description": "Card swallowed by ATM.", "channel": "telegram"},
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"CMP-\d{6}-[A-Z2-9]{6}", body["reference"])
    assert body["sla_due"] == add_business_days(business_now().date(), 3).isoformat()
    stored = crm_world.db.query(Complaint).one()
    assert (stored.reference, stored.channel, stored.status) == (
        body["reference"],
        "telegram",
        "open",
    )
    listed = client.get(f"/api/v1/customers/{c.id}/complaints", headers=SERVICE_AUTH).json()
    assert [x["reference"] for x in listed] == [body["reference"]]


def test_a_retried_request_files_its_complaint_once(crm_world, client) -> None:
    """The assistant sends the id of the customer message that confirmed the complaint; a
    retried turn (its replica died before the conversation was stored) gets the same one."""
    c = crm_world.customer()
    crm_world.db.commit()
    url = f"/api/v1/customers/{c.id}/complaints"
    body = {"category": "fees", "description": "Monthly fee.", "channel": "app",
            "request_key": f"app:{c.id}:m-7"}  # fmt: skip
    first = client.post(url, headers=SERVICE_AUTH, json=body)
    again = client.post(url, headers=SERVICE_AUTH, json=body)
    other = client.post(url, headers=SERVICE_AUTH, json=body | {"request_key": f"app:{c.id}:m-9"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["reference"] == first.json()["reference"]
    assert other.json()["reference"] != first.json()["reference"]
    assert crm_world.db.query(Complaint).filter_by(customer_id=c.id).count() == 2


def test_sla_skips_weekends() -> None:
    friday = dt.date(2026, 11, 20)
    assert add_business_days(friday, 1) == dt.date(2026, 11, 23)
    assert add_business_days(friday, 5) == dt.date(2026, 11, 27)


def test_complaint_bad_input_is_422(crm_world, client) -> None:
    c = crm_world.customer()
    crm_world.db.commit()
    url = f"/api/v1/customers/{c.id}/complaints"
    good = {"category": "fees", "description": "Too many fees.", "channel": "app"}
    for bad in (
        {**good, "category": "weather"},
        {**good, "description": ""},
        {**good, "description": "nul\x00byte"},
        {**good, "channel": "pigeon"},
        {"category": "fees"},
    ):
        assert client.post(url, json=bad, headers=SERVICE_AUTH).status_code == 422, bad


def test_fees_and_falling_balance_raise_churn_risk(crm_world, client) -> None:
    calm, leaving = crm_world.customer(), crm_world.customer()
    for c in (calm, leaving):
        crm_world.steady_history(crm_world.account(c), "40000", months=8)
    account = (
        crm_world.db.query(type(crm_world.account(leaving, "savings", "SAV", "1")))
        .filter_by(customer_id=leaving.id, kind="current")
        .one()
    )
    now = business_now()
    post(
        crm_world.db,
        account,
        "-30000",
        "transfer_out",
        "Transfer to another bank",
        now - dt.timedelta(days=85),
    )
    for days in (10, 20, 30, 40):
        post(
            crm_world.db,
            account,
            "-45",
            "fee",
            "Cross-bank transfer fee",
            now - dt.timedelta(days=days),
        )
    crm_world.analyse(calm, leaving)

    assert _risk(client, calm.id)["score"] == 0
    risk = _risk(client, leaving.id)
    assert risk["score"] > 0.3
    factors = {f["code"]: f for f in risk["factors"]}
    assert factors["fees"]["figures"] == {
        "fees_paid": "180.00",
        "fee_count": 4,
        "fee_complaints": 0,
        "currency": "CNY",
    }
    assert "falling_balance" in factors
    assert "fell" in factors["falling_balance"]["text"]
    weights = [f["weight"] for f in risk["factors"]]
    assert weights == sorted(weights, reverse=True)


def test_wish_to_close_and_complaints_raise_churn_risk(crm_world, client) -> None:
    c = crm_world.customer()
    crm_world.steady_history(crm_world.account(c), "10000")
    crm_world.analyse(c)
    before = _risk(client, c.id)["score"]

    complaint = client.post(
        f"/api/v1/customers/{c.id}/complaints",
        headers=SERVICE_AUTH,
        json={"category": "service", "description": "Rude staff.", "channel": "app"},
    )
    assert complaint.status_code == 201
    after_complaint = _risk(client, c.id)
    assert after_complaint["score"] > before
    assert after_complaint["factors"][0]["code"] == "complaints"

    signal = client.post(
        f"/api/v1/customers/{c.id}/churn-signals",
        headers=SERVICE_AUTH,
        json={"signal": "wish_to_close", "channel": "app", "conversation_id": "customer-1"},
    )
    assert signal.status_code == 201
    assert signal.json()["level"] == "high"
    assert signal.json()["factors"][0]["code"] == "wish_to_close"
    assert _risk(client, c.id)["score"] == signal.json()["score"] > after_complaint["score"]


def test_fee_complaint_signal_counts_as_a_fee_factor(crm_world, client) -> None:
    c = crm_world.customer()
    crm_world.db.commit()
    response = client.post(
        f"/api/v1/customers/{c.id}/churn-signals",
        headers=SERVICE_AUTH,
        json={"signal": "fee_complaint"},
    )
    assert response.status_code == 201
    assert {f["code"] for f in response.json()["factors"]} == {"fees", "complaints"}
    bad = client.post(
        f"/api/v1/customers/{c.id}/churn-signals", headers=SERVICE_AUTH, json={"signal": "bored"}
    )
    assert bad.status_code == 422
