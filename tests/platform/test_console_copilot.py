"""The copilot panel: customer 360 with masked identifiers, offers marked where the customer
saw them, outcomes recorded by the owner only, every look audited; and the dashboard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from agent_console import suggestions
from agent_console.models import AuditEntry
from conversations.models import Conversation, Handoff
from crm.clock import business_today, utcnow
from crm.closed_loop import record_presentation
from crm.models import Card, Complaint, OfferPresentation
from tests.platform.console_helpers import (
    handoff,
)

ROOT = Path(__file__).resolve().parents[2]


def earner(world):
    c = world.customer(age=35, tenure_years=4)
    account = world.steady_history(world.account(c), "30000", salary="12000")
    world.db.add(
        Card(customer_id=c.id, account_id=account.id, kind="debit", last4="4242",
             status="frozen", expires_on=dt.date(2029, 5, 31))
    )  # fmt: skip
    world.db.add(
        Complaint(reference="CMP-TEST-1", customer_id=c.id, category="fees",
                  description="Charged twice, card 4111 1111 1111 1111", channel="app",
                  status="open", sla_due=business_today())
    )  # fmt: skip
    world.analyse(c)
    return c


def claimed(client, users, customer_id: int, **fields) -> str:
    created = handoff(client, f"customer-{customer_id}", customer_id, **fields)
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    return f"customer-{customer_id}"


def test_customer_360_shows_the_customer_with_identifiers_masked(
    client, users, crm_world, db
) -> None:
    c = earner(crm_world)
    conversation = claimed(client, users, c.id)
    response = users["agent"].get(f"/console/api/conversations/{conversation}/customer")
    assert response.status_code == 200, response.text
    p = response.json()["profile"]
    assert p["full_name"] == c.full_name and p["customer_no"] == c.customer_no
    assert p["phone"] == f"[PHONE ****{c.phone[-4:]}]" and not p["phone_revealed"]
    assert p["segment"]["code"] and p["segment"]["reasons"]
    assert p["risk_appetite"]["label"]
    (account,) = p["accounts"]
    assert account["balance"] == "30000.00" and len(account["number_last4"]) == 4
    assert p["transactions"] and p["transactions"][0]["amount"]
    assert [(card["last4"], card["status"]) for card in p["cards"]] == [("4242", "frozen")]
    (complaint,) = p["open_complaints"]
    assert "4111 1111 1111 1111" not in complaint["description"]
    assert {"score", "level", "factors"} <= set(p["churn"])
    audit = db.query(AuditEntry).filter_by(customer_id=c.id, action="view_customer_360").all()
    assert len(audit) == 1 and audit[0].detail == conversation


def test_the_phone_number_is_shown_only_to_the_agent_calling_back(client, users, crm_world) -> None:
    c = earner(crm_world)
    conversation = claimed(client, users, c.id, reason="callback")
    p = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()["profile"]
    assert p["phone"] == c.phone and p["phone_revealed"]
    # a supervisor looking on does not get it
    p = users["supervisor"].get(f"/console/api/conversations/{conversation}/customer").json()
    assert p["profile"]["phone"] != c.phone


def test_offers_come_with_reasons_and_are_marked_where_the_customer_saw_them(
    client, users, crm_world, db
) -> None:
    c = earner(crm_world)
    conversation = claimed(client, users, c.id)
    first = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    offers = first["offers"]["offers"]
    assert offers, first["offers"]
    seen_code = offers[0]["code"]
    for offer in offers:
        assert offer["reasons"] and offer["expected_value"] and offer["seen"] is None
    record_presentation(db, c.id, seen_code, "chat", "app", "app", None)
    db.commit()
    after = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    marked = {o["code"]: o["seen"] for o in after["offers"]["offers"]}
    assert marked[seen_code]["channel"] == "app" and marked[seen_code]["presented_by"] == "app"


def test_the_owner_records_what_the_customer_said_to_an_offer(client, users, crm_world, db) -> None:
    c = earner(crm_world)
    conversation = claimed(client, users, c.id)
    offers = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    code = offers["offers"]["offers"][0]["code"]
    shown = record_presentation(db, c.id, code, "agent", "app", "agent", conversation)
    db.commit()
    awaiting = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    assert [a["presentation_id"] for a in awaiting["offers"]["awaiting_outcome"]] == [shown.id]

    path = f"/console/api/presentations/{shown.id}/outcome"
    assert users["agent2"].post(path, {"outcome": "accepted"}).status_code == 403
    response = users["agent"].post(path, {"outcome": "accepted"})
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "accepted"
    assert users["agent"].post(path, {"outcome": "declined"}).status_code == 409
    db.expire_all()
    assert db.get(OfferPresentation, shown.id).outcome == "accepted"
    assert db.query(AuditEntry).filter_by(action="offer_outcome", customer_id=c.id).count() == 1


def domain_responses() -> dict:
    responses: dict = {}
    for path in (ROOT / "assistant" / "domain").glob("*.yml"):
        responses |= (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
    return responses


def test_suggested_replies_use_the_assistants_words_and_the_customers_cards() -> None:
    responses = domain_responses()
    parse = {"intent": {"name": "card_not_working", "confidence": 0.93}, "entities": []}
    customer = {
        "cards": [{"last4": "4242", "status": "frozen", "expires_on": "2029-05-31"}],
        "accounts": [],
    }
    replies = suggestions.suggest(responses, parse, customer, awaiting_offer=False)
    frozen = responses["utter_card_status_frozen"][0]["text"].replace("{last4}", "4242")
    assert replies[0] == {"response": "utter_card_status_frozen", "text": frozen}
    assert replies[1]["response"] == "utter_topic_card_not_working"
    assert replies[1]["text"] == responses["utter_topic_card_not_working"][0]["text"]


def test_a_yes_after_an_offer_suggests_the_assistants_acceptance() -> None:
    responses = domain_responses()
    parse = {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    replies = suggestions.suggest(responses, parse, None, awaiting_offer=True)
    assert replies[0]["response"] == "utter_offer_accepted"


def test_an_offer_is_worded_by_the_domain_with_the_reasons_figures() -> None:
    responses = domain_responses()
    offer = {
        "code": "TD_12M",
        "name": "12-month time deposit",
        "reasons": [
            {"code": "large_deposit", "text": "...", "figures": {"amount": "50000.00",
                                                                 "currency": "CNY"}},
        ],
    }  # fmt: skip
    intro, reason, question = suggestions.offer_messages(responses, offer)
    assert intro["text"] == responses["utter_offer_intro"][0]["text"].format(
        offer_name="12-month time deposit"
    )
    assert "50000.00 CNY" in reason["text"]
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]


def test_dashboard_counts_the_queue_service_times_containment_and_offer_responses(
    client, users, crm_world, db
) -> None:
    now = utcnow()
    c = earner(crm_world)
    for cid in ("customer-900", "customer-901", "customer-902"):
        db.add(Conversation(id=cid, status="bot", updated_at=now))  # the bot handled these
    waiting = handoff(client, "customer-910", 910)
    active = handoff(client, "customer-911", 911)
    done = handoff(client, "customer-912", 912)
    db.commit()
    users["agent"].post(f"/console/api/handoffs/{active['id']}/claim")
    users["agent"].post(f"/console/api/handoffs/{done['id']}/claim")
    row = db.get(Handoff, done["id"])
    db.refresh(row)
    row.created_at, row.claimed_at = now - dt.timedelta(seconds=100), now - dt.timedelta(seconds=40)
    row.status, row.closed_at, row.disposition = "closed", now, "resolved"
    other = db.get(Handoff, active["id"])
    db.refresh(other)
    other.created_at, other.claimed_at = (
        now - dt.timedelta(seconds=50),
        now - dt.timedelta(seconds=30),
    )
    shown = record_presentation(db, c.id, "CC_REWARDS", "chat", "app", "bot", None)
    shown.outcome = "accepted"
    record_presentation(db, c.id, "SAV_BONUS", "agent", "telegram", "agent", None)
    db.commit()

    m = users["supervisor"].get("/console/api/dashboard", params={"days": 7}).json()
    assert (m["waiting"], m["active"], m["closed"]) == (1, 1, 1)
    assert m["average_wait_seconds"] == pytest.approx((60 + 20) / 2, abs=1)
    assert m["average_handle_seconds"] == pytest.approx(40, abs=1)
    assert (m["conversations"], m["contained"]) == (6, 3)
    assert m["containment_rate"] == 0.5
    rates = {(r["segment"], r["channel"]): r for r in m["offer_response"]}
    segment = next(iter(rates))[0]
    assert rates[(segment, "app")]["response_rate"] == 1.0
    assert rates[(segment, "telegram")]["presented"] == 1
    assert waiting["id"]


def test_ending_a_conversation_marks_unanswered_agent_offers_ignored(
    client, users, crm_world, db
) -> None:
    from agent_console import lifecycle
    from agent_console.guards import Who

    c = earner(crm_world)
    conversation = claimed(client, users, c.id)
    offers = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    codes = [o["code"] for o in offers["offers"]["offers"]][:2]
    answered = record_presentation(db, c.id, codes[0], "agent", "app", "agent", conversation)
    answered.outcome = "declined"
    unanswered = record_presentation(db, c.id, codes[1], "agent", "app", "agent", conversation)
    db.commit()
    me = users["agent"].get("/console/api/queue").json()["me"]
    who = Who(me["id"], "agent", me["name"], "agent", "")
    granted = lifecycle.acting(db, conversation, who)
    lifecycle.finish(db, granted, who, "close", "offer_declined", "")
    db.expire_all()
    assert db.get(OfferPresentation, answered.id).outcome == "declined"
    assert db.get(OfferPresentation, unanswered.id).outcome == "ignored"
    row = db.get(Handoff, granted.handoff_id)
    assert (row.status, row.disposition) == ("closed", "offer_declined")
    assert db.get(Conversation, conversation).status == "resolved"
    with pytest.raises(lifecycle.Forbidden):  # closed: nothing more to act on
        lifecycle.acting(db, conversation, who)


def test_without_the_assistant_nothing_reaches_the_customer_and_nothing_changes(
    client, users, crm_world, db, monkeypatch
) -> None:
    """No Rasa runs beside these tests: RASA_URL points at a port nobody listens on."""
    monkeypatch.setattr(client.app.state.rasa, "_base", "http://127.0.0.1:9")
    c = earner(crm_world)
    conversation = claimed(client, users, c.id)
    code = (
        users["agent"]
        .get(f"/console/api/conversations/{conversation}/customer")
        .json()["offers"]["offers"][0]["code"]
    )
    base = f"/console/api/conversations/{conversation}"
    for response in (
        users["agent"].post(f"{base}/messages", {"text": "hello"}),
        users["agent"].post(f"{base}/offers/{code}/present"),
        users["agent"].post(f"{base}/hand-back", {"notes": ""}),
        users["agent"].post(f"{base}/close", {"disposition": "resolved", "notes": ""}),
    ):
        assert response.status_code == 502, response.text
        assert "nothing was sent" in response.json()["detail"]
    db.expire_all()
    assert db.query(OfferPresentation).filter_by(conversation_id=conversation).count() == 0
    handoff_row = db.query(Handoff).filter_by(conversation_id=conversation).one()
    assert handoff_row.status == "claimed"
    assert users["agent"].get(base).status_code == 503  # the history lives in Rasa
