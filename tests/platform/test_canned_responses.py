"""Canned responses: agents read the library and insert a reply filled with the customer's
data in the conversation's language; only supervisors write it; a reply naming a variable
the product does not know is refused; the replies that fit the customer's last intent come
first. On SQLite and PostgreSQL (the `db` fixture's backends)."""

from __future__ import annotations

import datetime as dt

import pytest

from agent_console.models import AuditEntry
from agent_console.seed_canned import seed, seed_entries
from conversations.rasa_client import RasaUnavailable
from crm.clock import business_today
from crm.models import Card, Complaint
from tests.platform.console_helpers import handoff

SEEDED = {e["shortcut"]: e for e in seed_entries()}


def reply(**fields) -> dict:
    return {
        "shortcut": "/pin-reset",
        "title": "PIN reset",
        "text_en": "{first_name}, you can reset your PIN in the app.",
        "text_zh": "{first_name}，您可以在App中重置密码。",
        "intents": ["change_pin", "pin_blocked"],
    } | fields


def shortcuts(user, query: str = "") -> set[str]:
    return {r["shortcut"] for r in user.get(f"/console/api/canned{query}").json()["responses"]}


class Tracker:
    """What Rasa's tracker says of the conversation (no Rasa runs beside these tests): the
    `language` slot the assistant keeps from the customer's messages."""

    def __init__(self, language: str | None) -> None:
        self.language = language

    async def __call__(self, conversation_id: str) -> dict:
        if self.language is None:
            raise RasaUnavailable("not running")
        return {"sender_id": conversation_id, "slots": {"language": self.language}, "events": []}


@pytest.fixture
def library(db) -> dict[str, int]:
    """The seeded library: shortcut -> id."""
    assert sorted(seed()) == sorted(SEEDED)
    assert seed() == []  # a second run leaves the library alone
    from agent_console.canned_models import CannedResponse

    return {r.shortcut: r.id for r in db.query(CannedResponse)}


def customer_in_conversation(client, users, crm_world, language: str = "en") -> tuple:
    c = crm_world.customer(full_name="Mei Lin", customer_no="C777001", language=language)
    account = crm_world.account(c)
    crm_world.db.add_all([
        Card(customer_id=c.id, account_id=account.id, kind="debit", last4="4242",
             status="active", expires_on=dt.date(2029, 5, 31)),
        Complaint(reference="CMP-2026-0042", customer_id=c.id, category="fees",
                  description="Charged twice", channel="app", status="open",
                  sla_due=business_today() + dt.timedelta(days=10)),
    ])  # fmt: skip
    crm_world.db.commit()
    created = handoff(client, f"customer-{c.id}", c.id)
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    return c, f"customer-{c.id}"


def test_agents_read_the_library_and_only_supervisors_change_it(users, library) -> None:
    agent, boss = users["agent"], users["supervisor"]
    listed = agent.get("/console/api/canned").json()
    assert shortcuts(agent) == set(SEEDED)
    assert "first_name" in {v["name"] for v in listed["variables"]}

    assert agent.post("/console/api/canned", reply()).status_code == 403
    fees = library["/fees"]
    edit = reply(shortcut="/fees", title="Hacked")
    assert agent.client.put(f"/console/api/canned/{fees}", json=edit,
                            headers=agent.headers(csrf=True)).status_code == 403  # fmt: skip
    assert boss.post("/console/api/canned", reply(), csrf=False).status_code == 403  # no CSRF

    created = boss.post("/console/api/canned", reply())
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert "/pin-reset" in shortcuts(agent)

    retired = boss.client.put(f"/console/api/canned/{new_id}", json=reply(active=False),
                              headers=boss.headers(csrf=True))  # fmt: skip
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert "/pin-reset" not in shortcuts(agent)
    # only a supervisor sees retired replies, and only when asking for them
    assert "/pin-reset" not in shortcuts(agent, "?all=true")
    everything = boss.get("/console/api/canned?all=true").json()["responses"]
    assert {r["shortcut"]: r["active"] for r in everything}["/pin-reset"] is False


def test_a_reply_is_filled_from_the_customers_record_in_the_conversations_language(
    client, users, crm_world, library, db, monkeypatch
) -> None:
    c, conversation = customer_in_conversation(client, users, crm_world, language="en")
    path = f"/console/api/conversations/{conversation}/canned"
    rasa = client.app.state.rasa

    monkeypatch.setattr(rasa, "tracker", Tracker("zh"))  # the customer writes in Chinese
    zh = users["agent"].get(f"{path}/{library['/card-check']}").json()
    assert zh["language"] == "zh" and zh["missing"] == []
    assert zh["text"].startswith("Mei，") and "尾号4242" in zh["text"]

    monkeypatch.setattr(rasa, "tracker", Tracker("en"))
    en = users["agent"].get(f"{path}/{library['/complaint-ref']}").json()
    due = (business_today() + dt.timedelta(days=10)).isoformat()
    assert en["text"] == SEEDED["/complaint-ref"]["text_en"].format(
        first_name="Mei", complaint_ref="CMP-2026-0042", complaint_due=due
    )
    thanks = users["agent"].get(f"{path}/{library['/thanks']}").json()
    assert "I'm Alex Agent" in thanks["text"]

    # Without the assistant, the language of the customer's record
    monkeypatch.setattr(rasa, "tracker", Tracker(None))
    assert users["agent"].get(f"{path}/{library['/fees']}").json()["language"] == "en"

    # Only people who may look at the conversation may fill a reply with its customer's data
    other = users["agent2"].get(f"{path}/{library['/fees']}")
    assert other.status_code == 403 and "Alex Agent has this conversation" in other.text
    audited = db.query(AuditEntry).filter_by(action="render_canned", customer_id=c.id).all()
    assert len(audited) == 4 and all(conversation in a.detail for a in audited)


def test_a_variable_the_record_cannot_fill_is_left_for_the_agent(
    client, users, crm_world, library, monkeypatch
) -> None:
    c = crm_world.customer(full_name="Bo Chen")
    crm_world.db.commit()
    created = handoff(client, f"customer-{c.id}", c.id)
    users["agent"].post(f"/console/api/handoffs/{created['id']}/claim")
    monkeypatch.setattr(client.app.state.rasa, "tracker", Tracker("en"))
    path = f"/console/api/conversations/customer-{c.id}/canned/{library['/complaint-ref']}"
    rendered = users["agent"].get(path).json()
    assert rendered["missing"] == ["complaint_ref", "complaint_due"]
    assert rendered["text"].startswith("Bo, your complaint {complaint_ref} is being handled")


def test_unknown_variables_and_malformed_shortcuts_are_refused_clearly(users, library) -> None:
    boss = users["supervisor"]
    unknown = boss.post("/console/api/canned", reply(text_en="Waived until {fee_waiver_until}."))
    assert unknown.status_code == 422
    detail = unknown.json()["detail"]
    assert "Unknown variable(s) in the English text: {fee_waiver_until}" in detail
    assert "{first_name}" in detail  # and what is allowed
    full_number = boss.post("/console/api/canned", reply(text_zh="卡号{card_number}"))
    assert full_number.status_code == 422 and "{card_number}" in full_number.json()["detail"]
    for shortcut in ("fees2", "/F", "/x", "/has space", "/" + "a" * 25):
        response = boss.post("/console/api/canned", reply(shortcut=shortcut))
        assert response.status_code == 422 and "Shortcut" in response.json()["detail"], shortcut
    taken = boss.post("/console/api/canned", reply(shortcut="/fees"))
    assert taken.status_code == 409 and "already used" in taken.json()["detail"]
    edit = boss.client.put(f"/console/api/canned/{library['/thanks']}",
                           json=reply(shortcut="/thanks", text_en="Bye {nickname}"),
                           headers=boss.headers(csrf=True))  # fmt: skip
    assert edit.status_code == 422 and "{nickname}" in edit.json()["detail"]
    assert shortcuts(boss, "?all=true") == set(SEEDED)  # nothing refused was stored


def test_replies_that_fit_the_customers_last_intent_come_first(users, library) -> None:
    def order(intent: str | None) -> list[tuple[str, bool]]:
        query = f"?intent={intent}" if intent else ""
        listed = users["agent"].get(f"/console/api/canned{query}").json()["responses"]
        return [(r["shortcut"], r["fits"]) for r in listed]

    assert order("card_arrival")[0] == ("/card-delivery", True)
    assert [s for s, fits in order("card_arrival") if fits] == ["/card-delivery"]
    assert order("opening_hours")[0] == ("/branch-hours", True)
    assert order("transfer_fee_charged")[0] == ("/fees", True)
    plain = order(None)
    assert [s for s, _ in plain] == sorted(SEEDED) and not any(f for _, f in plain)


def test_the_library_needs_a_console_login_and_changes_need_the_consoles_origin(
    client, users, library
) -> None:
    assert client.get("/console/api/canned").status_code == 401
    assert (
        client.get(f"/console/api/conversations/customer-1/canned/{library['/fees']}").status_code
        == 401
    )
    evil = users["supervisor"].post(
        "/console/api/canned", reply(), headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    assert "/pin-reset" not in shortcuts(users["supervisor"], "?all=true")
