"""Customer satisfaction: when an agent closes or hands back a conversation the customer is
asked, in the assistant's words, to rate that agent's help; the assistant's action stores the
answer once per rated handoff or session, for the agent and team who had it and the intent."""

from __future__ import annotations

from typing import Any

import pytest

from agent_console.models import Agent
from conversations.satisfaction_models import SatisfactionRating
from tests.platform.conftest import SERVICE_AUTH
from tests.platform.console_helpers import handoff
from tests.platform.rasa_stand_in import RasaStandIn


@pytest.fixture
def rasa(client, monkeypatch):
    stand_in = RasaStandIn()
    monkeypatch.setattr(client.app.state.rasa, "_base", stand_in.url)
    yield stand_in
    stand_in.close()


def rate(client, conversation: str, subject: str, rating: int, **fields: Any):
    body = {"conversation_id": conversation, "subject": subject, "rating": rating,
            "channel": "app"} | fields  # fmt: skip
    return client.post("/api/v1/satisfaction", json=body, headers=SERVICE_AUTH)


def closed_by(users, client, agent: str, conversation: str, how: str = "close", **kw) -> dict:
    queued = handoff(client, conversation, int(conversation.split("-")[1]), **kw)
    assert users[agent].post(f"/console/api/handoffs/{queued['id']}/claim").status_code == 200
    base = f"/console/api/conversations/{conversation}"
    body = {"disposition": "resolved", "notes": ""} if how == "close" else {"notes": ""}
    assert users[agent].post(f"{base}/{how}", body).status_code == 200
    return queued


def ratings(db) -> list[SatisfactionRating]:
    db.expire_all()
    return db.query(SatisfactionRating).order_by(SatisfactionRating.id).all()


@pytest.mark.parametrize("how", ["close", "hand-back"])
def test_the_end_of_an_agents_part_asks_the_customer_to_rate_it(
    how, client, users, rasa, db
) -> None:
    queued = closed_by(users, client, "agent", "customer-301", how, intent="block_card")
    # asked before the new dialogue session starts: Rasa's "latest" channel is the customer's
    assert rasa.last_calls("customer-301", 3) == [
        [{"event": "slot", "name": "csat_subject", "value": f"handoff-{queued['id']}"}],
        {"name": "utter_ask_csat"},
        {"name": "action_session_start"},
    ]


def test_a_rating_is_stored_once_for_the_agent_team_and_intent(client, users, rasa, db) -> None:
    queued = closed_by(users, client, "agent", "customer-311", intent="block_card")
    subject = f"handoff-{queued['id']}"

    first = rate(client, "customer-311", subject, 4, intent="block_card")
    assert first.status_code == 201
    again = rate(client, "customer-311", subject, 1, intent="block_card")  # replayed, re-clicked
    assert again.status_code == 200 and again.json()["rating"] == 4

    [row] = ratings(db)
    alex = db.query(Agent).filter_by(username="agent").one()
    assert (row.rating, row.team, row.intent, row.handoff_id) == (4, "cards", "block_card",
                                                                    queued["id"])  # fmt: skip
    assert row.agent_id == alex.id
    assert row.comment is None


def test_a_comment_is_added_to_the_rating_once(client, users, rasa, db) -> None:
    queued = closed_by(users, client, "agent2", "customer-321", reason="retention")
    subject = f"handoff-{queued['id']}"
    assert rate(client, "customer-321", subject, 2).status_code == 201
    assert rate(client, "customer-321", subject, 2, comment="Took too long").status_code == 200
    assert rate(client, "customer-321", subject, 2, comment="Replayed later").status_code == 200
    [row] = ratings(db)
    assert (row.rating, row.comment, row.team) == (2, "Took too long", "retention")


def test_a_comment_is_kept_with_card_and_phone_numbers_masked(client, users, rasa, db) -> None:
    """Supervisors read the comments: numbers a customer types in one are masked."""
    queued = closed_by(users, client, "agent", "customer-322", intent="block_card")
    comment = "call me on 13800138000 about card 6222021234567890123"
    assert (
        rate(client, "customer-322", f"handoff-{queued['id']}", 3, comment=comment).status_code
        == 201
    )
    [row] = ratings(db)
    assert "13800138000" not in row.comment and "6222021234567890123" not in row.comment
    assert row.comment.startswith("call me on ")


def test_the_assistant_alone_is_rated_per_session_without_an_agent(client, db) -> None:
    assert rate(client, "customer-331", "session-1764600000.5", 5, intent="check_balance",
                channel="telegram").status_code == 201  # fmt: skip
    assert rate(client, "customer-331", "session-1764690000.0", 3, intent="block_card",
                channel="telegram").status_code == 201  # fmt: skip
    rows = ratings(db)
    assert [(r.rating, r.intent, r.agent_id, r.team, r.channel) for r in rows] == [
        (5, "check_balance", None, None, "telegram"),
        (3, "block_card", None, None, "telegram"),
    ]


def test_a_rating_cannot_credit_another_conversations_agent(client, users, rasa, db) -> None:
    queued = closed_by(users, client, "agent", "customer-341", intent="block_card")
    response = rate(client, "customer-342", f"handoff-{queued['id']}", 1)
    assert response.status_code == 201
    [row] = ratings(db)
    assert (row.conversation_id, row.agent_id, row.team, row.handoff_id) == (
        "customer-342", None, None, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "field, value", [("rating", 0), ("rating", 6), ("subject", "anything"), ("comment", "x" * 1001)]
)
def test_impossible_ratings_are_refused(client, db, field, value) -> None:
    body = {"conversation_id": "customer-351", "subject": "session-1.0", "rating": 3,
            "channel": "app", field: value}  # fmt: skip
    response = client.post("/api/v1/satisfaction", json=body, headers=SERVICE_AUTH)
    assert response.status_code == 422
    assert ratings(db) == []


def test_only_the_assistant_may_store_a_rating(client, db) -> None:
    body = {"conversation_id": "customer-361", "subject": "session-1.0", "rating": 5,
            "channel": "app"}  # fmt: skip
    assert client.post("/api/v1/satisfaction", json=body).status_code in (401, 403)
    assert ratings(db) == []
