"""Conversation review: poorly understood messages are kept (masked) for designers, and an
assigned intent reaches the training data only after the real `rasa data validate` agrees."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from agent_console.models import AuditEntry
from agent_console.training_data import REVIEW_DOMAIN, REVIEW_NLU, copy_project
from conversations.models import ReviewItem
from core import config
from tests.platform.conftest import ROOT, SERVICE_AUTH
from tests.platform.console_helpers import ConsoleUser, seed_users

RASA_BIN = ROOT / ".venvs" / "rasa" / "bin" / "rasa"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the assistant's project for the review to write into."""
    copy_project(ROOT, tmp_path)
    monkeypatch.setenv("TRAINING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_BIN", str(RASA_BIN))
    config.reset()
    return tmp_path


@pytest.fixture
def designer(client, db) -> ConsoleUser:
    seed_users()
    return ConsoleUser(client, "designer")


def said(text: str, intent: str, confidence: float, at: float, **parse) -> dict:
    """A `user` event as Rasa's event broker posts it."""
    return {
        "event": "user",
        "sender_id": "customer-7",
        "timestamp": at,
        "text": text,
        "input_channel": "app",
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, **parse},
    }


def keep(client, *events: dict) -> None:
    response = client.post("/api/v1/rasa-events", json=list(events), headers=SERVICE_AUTH)
    assert response.status_code == 202, response.text


def test_fallbacks_and_unsure_answers_are_listed_masked_once(client, designer) -> None:
    now = time.time()
    ranking = [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "card_arrival", "confidence": 0.21},
    ]
    fallback = said(
        "my thingy 6222 0212 3456 7890 never came, call 13812345678",
        "nlu_fallback", 1.0, now, intent_ranking=ranking,
    )  # fmt: skip
    keep(
        client,
        fallback,
        said("is it possible to move cash abroad", "transfer_into_account", 0.41, now + 1),
        said("what is my balance right now", "check_balance", 0.97, now + 2),
        said('/inform{"card_last4": "1234"}', "inform", 0.2, now + 3),
        said("is the corner branch open today", "out_of_scope", 0.71, now + 4, out_of_scope_gate={
            "probability": 0.71, "name": "opening_hours", "confidence": 0.62}),
        said("what's the weather tomorrow", "out_of_scope", 1.0, now + 5),
    )  # fmt: skip
    keep(client, fallback)  # Rasa's broker retries: the same message is not listed twice

    items = designer.get("/console/api/review").json()
    assert [(i["reason"], i["predicted_intent"]) for i in items] == [
        ("out_of_scope", "opening_hours"),  # refused while unsure: maybe a banking question
        ("low_confidence", "transfer_into_account"),
        ("fallback", "card_arrival"),
    ]  # newest first; a message the model knows is out of scope is not listed
    assert items[2]["text"] == "my thingy [CARD ****7890] never came, call [PHONE ****5678]"
    assert items[2]["confidence"] == pytest.approx(0.21)


def test_only_designers_and_supervisors_review(client, designer) -> None:
    agent = ConsoleUser(client, "agent")
    assert agent.get("/console/api/review").status_code == 403
    assert agent.get("/console/api/export/conversations").status_code == 403
    assert agent.get("/console/review").status_code == 403
    supervisor = ConsoleUser(client, "supervisor")
    assert supervisor.get("/console/api/review").status_code == 200
    landing = designer.get("/console", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/console/review"
    page = designer.get("/console/review")
    assert page.status_code == 200 and "/static/review.js" in page.text
    assert client.get("/console/api/review").status_code == 401


def _item(db, text: str, conversation: str = "customer-7") -> int:
    row = ReviewItem(
        conversation_id=conversation, message_at=time.time(), text=text,
        predicted_intent="nlu_fallback", confidence=0.1, reason="fallback",
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row.id


def _examples(project: Path) -> dict[str, list[str]]:
    document = yaml.safe_load((project / REVIEW_NLU).read_text())
    return {
        item["intent"]: [line[2:] for line in item["examples"].splitlines()]
        for item in document["nlu"]
    }


def test_assigned_example_is_validated_then_written_once(client, db, designer, project) -> None:
    first = _item(db, "how much cash is sitting in my rainy day pot")
    added = designer.post(f"/console/api/review/{first}/assign", {"intent": "check_balance"})
    assert added.status_code == 200, added.text
    assert added.json()["written"] is True
    assert _examples(project) == {"check_balance": ["how much cash is sitting in my rainy day pot"]}

    again = _item(db, "How much cash is sitting  in my rainy day pot", "customer-8")
    duplicate = designer.post(f"/console/api/review/{again}/assign", {"intent": "check_balance"})
    assert duplicate.status_code == 200 and duplicate.json()["written"] is False
    assert _examples(project) == {"check_balance": ["how much cash is sitting in my rainy day pot"]}

    db.expire_all()
    assert db.get(ReviewItem, first).status == "added"
    assert db.get(ReviewItem, first).assigned_intent == "check_balance"
    twice = designer.post(f"/console/api/review/{first}/assign", {"intent": "greet"})
    assert twice.status_code == 409
    assert db.query(AuditEntry).filter(AuditEntry.action == "review_added").count() == 2


def test_rasa_validation_refuses_a_conflicting_example_and_nothing_is_written(
    client, db, designer, project
) -> None:
    before = sorted(p.read_bytes() for p in (project / "nlu_data").glob("*.yml"))
    item = _item(db, "hello bank")  # a greet example already
    refused = designer.post(f"/console/api/review/{item}/assign", {"intent": "goodbye"})
    assert refused.status_code == 422
    report = refused.json()["detail"]["report"]
    assert any("labeled with multiple different intents" in line for line in report)
    assert not (project / REVIEW_NLU).exists()
    assert sorted(p.read_bytes() for p in (project / "nlu_data").glob("*.yml")) == before
    db.expire_all()
    assert db.get(ReviewItem, item).status == "open"


def test_a_new_intent_is_declared_in_the_domain_and_flagged(client, db, designer, project) -> None:
    item = _item(db, "can i order a card with a picture of my dog on it")
    added = designer.post(f"/console/api/review/{item}/assign", {"intent": "custom_card_design"})
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["new_intent"] is True
    assert body["report"] == ["The intent 'custom_card_design' is not used in any story or rule."]
    domain = yaml.safe_load((project / REVIEW_DOMAIN).read_text())
    assert domain["intents"] == ["custom_card_design"]
    assert "custom_card_design" in designer.get("/console/api/review/intents").json()
    bad = _item(db, "something else")
    for name in ("Greet", "x", "drop table", "a" * 70):
        response = designer.post(f"/console/api/review/{bad}/assign", {"intent": name})
        assert response.status_code == 422


def test_review_changes_need_the_csrf_token(client, db, designer, project) -> None:
    item = _item(db, "gibberish qwpoeiru")
    refused = designer.post(f"/console/api/review/{item}/dismiss", csrf=False)
    assert refused.status_code == 403
    dismissed = designer.post(f"/console/api/review/{item}/dismiss")
    assert dismissed.status_code == 200
    assert designer.get("/console/api/review").json() == []
    assert [i["text"] for i in designer.get("/console/api/review?status=dismissed").json()] == [
        "gibberish qwpoeiru"
    ]


def test_annotation_syntax_a_customer_typed_never_becomes_an_entity(
    client, db, designer, project
) -> None:
    """`[4111](card)` or `[x]{"entity": ...}` in an example would be an annotation to Rasa;
    a customer's message reaches the training data as plain words."""
    planted = _item(db, 'block [vip](customer_status) and [9999]{"entity": "card"} now')
    added = designer.post(f"/console/api/review/{planted}/assign", {"intent": "block_card"})
    assert added.status_code == 200, added.text
    (example,) = _examples(project)["block_card"]
    assert example == 'block (vip)(customer_status) and (9999){"entity": "card"} now'
    text = (project / "nlu_data" / "review.yml").read_text()
    assert "customer_status" not in yaml.safe_load(text).get("synonyms", "")
    assert "- regex" not in text and "[" not in text  # nothing Rasa reads as markup


def test_exports_mask_every_string_not_only_what_the_customer_typed() -> None:
    from agent_console.conversation_export import e2e_yaml, masked_story

    story = yaml.safe_dump({"stories": [{"story": "customer-7", "steps": [
        {"user": "my card 4111 1111 1111 1111 was charged", "intent": "dispute_transaction"},
        {"slot_was_set": [{"dispute_description": "call me on 13800138000"}]},
        {"action": "utter_ask_dispute_confirmed"},
    ]}]})  # fmt: skip
    exported = masked_story("customer-7", story)
    for secret in ("4111 1111 1111 1111", "13800138000"):
        assert secret not in exported
    assert "[PHONE ****8000]" in exported and "[CARD ****1111]" in exported
    events = [{"event": "user", "text": "id 110105194912310021 please"},
              {"event": "bot", "text": "Your number 13800138000 is noted",
               "metadata": {"utter_action": None}}]  # fmt: skip
    replay = e2e_yaml("customer-7", 7, events)
    assert "110105194912310021" not in replay and "13800138000" not in replay
