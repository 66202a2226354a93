"""The supervisor's dashboard per team and agent: volumes, first-response and handle times,
SLA breaches, transfers, satisfaction, and which intents the assistant resolves alone, each
counted from the rows of the chosen period only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from agent_console.models import Agent
from conversations.models import Conversation, Handoff
from conversations.satisfaction_models import SatisfactionRating
from conversations.team_models import HandoffTransfer
from crm.clock import utcnow
from tests.platform.conftest import EVENTS

NOW = utcnow().replace(microsecond=0)
HOUR = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


def asked(engine, conversation: str, intent: str, at: dt.datetime) -> None:
    stamp = at.replace(tzinfo=dt.UTC).timestamp()
    event = {"event": "user", "timestamp": stamp, "parse_data": {"intent": {"name": intent}}}
    with engine.begin() as conn:
        conn.execute(EVENTS.insert().values(
            sender_id=conversation, type_name="user", timestamp=stamp, intent_name=intent,
            data=json.dumps(event)))  # fmt: skip


def agent_id(db, username: str) -> int:
    return db.query(Agent).filter_by(username=username).one().id


def handled(
    db,
    conversation: str,
    team: str,
    agent: int,
    created: dt.datetime,
    *,
    claimed: int,
    first: int | None,
    closed: int | None,
    sla: str = "ok",
) -> Handoff:
    """A handoff `claimed`, `first` (reply) and `closed` seconds after it was created."""
    db.merge(Conversation(id=conversation, status="bot", updated_at=created))
    row = Handoff(
        conversation_id=conversation, channel="app", reason="customer_request", team=team,
        created_at=created, claimed_by=agent, claimed_at=created + claimed * S,
        first_response_at=created + first * S if first is not None else None,
        closed_at=created + closed * S if closed is not None else None,
        status="closed" if closed is not None else "claimed",
        disposition="resolved" if closed is not None else None, sla_state=sla,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


def rated(db, conversation: str, subject: str, rating: int, intent: str, at: dt.datetime,
          handoff: Handoff | None = None) -> None:  # fmt: skip
    db.add(SatisfactionRating(
        conversation_id=conversation, subject=subject, rating=rating, intent=intent,
        channel="app", created_at=at, handoff_id=handoff.id if handoff else None,
        agent_id=handoff.claimed_by if handoff else None, team=handoff.team if handoff else None,
    ))  # fmt: skip


@pytest.fixture
def period(users, db, tracker):
    """Alex (cards) closed two handoffs today, one breached and transferred; Bea (retention)
    has one open; a month-old breach and rating; the assistant's own rating; and what
    customers asked, with and without a person."""
    alex, bea = agent_id(db, "agent"), agent_id(db, "agent2")
    quick = handled(db, "customer-401", "cards", alex, NOW - 3 * HOUR,
                    claimed=60, first=100, closed=400)  # fmt: skip
    slow = handled(db, "customer-402", "cards", alex, NOW - 2 * HOUR,
                   claimed=20, first=300, closed=620, sla="breached")  # fmt: skip
    handled(db, "customer-403", "retention", bea, NOW - HOUR, claimed=10, first=40, closed=None)
    old = handled(db, "customer-404", "cards", alex, NOW - 20 * 24 * HOUR,
                  claimed=5, first=10, closed=20, sla="breached")  # fmt: skip
    db.add(HandoffTransfer(handoff_id=slow.id, from_agent_id=alex, to_team="retention",
                           by_agent_id=alex, at=NOW - HOUR))  # fmt: skip
    rated(db, "customer-401", f"handoff-{quick.id}", 5, "block_card", NOW - HOUR, quick)
    rated(db, "customer-402", f"handoff-{slow.id}", 3, "lost_or_stolen_card", NOW - HOUR, slow)
    rated(db, "customer-404", f"handoff-{old.id}", 1, "block_card", NOW - 19 * 24 * HOUR, old)
    rated(db, "customer-405", "session-1.0", 4, "check_balance", NOW - HOUR)
    db.commit()
    for conversation, intent, before in [
        ("customer-401", "block_card", 3 * HOUR + 10 * S),  # then a person
        ("customer-401", "greet", 3 * HOUR + 20 * S),  # small talk: not a request
        ("customer-402", "lost_or_stolen_card", 2 * HOUR + 5 * S),  # then a person
        ("customer-405", "check_balance", HOUR),  # the assistant alone
        ("customer-406", "check_balance", HOUR),
        ("customer-407", "block_card", HOUR),
        ("customer-408", "check_balance", 20 * 24 * HOUR),  # last month
    ]:
        asked(tracker, conversation, intent, NOW - before)
    return {"alex": alex, "bea": bea}


def dashboard(users, days: int) -> dict:
    response = users["supervisor"].get("/console/api/dashboard", params={"days": days})
    assert response.status_code == 200, response.text
    return response.json()


def test_figures_per_team_for_the_period(users, period) -> None:
    teams = {t["team"]: t for t in dashboard(users, 7)["teams"]}
    assert set(teams) == {"cards", "retention", "complaints", "general"}
    cards, retention = teams["cards"], teams["retention"]
    assert (cards["volume"], cards["closed"], cards["sla_breaches"]) == (2, 2, 1)
    assert cards["average_first_response_seconds"] == 200  # (100 + 300) / 2
    assert cards["average_handle_seconds"] == 470  # (340 + 600) / 2
    assert cards["csat"] == {"average": 4.0, "count": 2}
    assert (retention["volume"], retention["closed"], retention["transfers_in"]) == (1, 0, 1)
    assert retention["average_first_response_seconds"] == 40
    assert retention["average_handle_seconds"] is None and retention["csat"] is None
    assert teams["complaints"]["volume"] == 0

    month = {t["team"]: t for t in dashboard(users, 30)["teams"]}["cards"]
    assert (month["volume"], month["sla_breaches"]) == (3, 2)
    assert month["csat"] == {"average": 3.0, "count": 3}


def test_figures_per_agent_for_the_period(users, period) -> None:
    agents = {a["name"]: a for a in dashboard(users, 7)["agents"]}
    alex, bea = agents["Alex Agent"], agents["Bea Agent"]
    assert (alex["handled"], alex["closed"], alex["sla_breaches"], alex["transfers_out"]) == (
        2, 2, 1, 1,
    )  # fmt: skip
    assert (alex["average_first_response_seconds"], alex["average_handle_seconds"]) == (200, 470)
    assert alex["csat"] == {"average": 4.0, "count": 2}
    assert (bea["handled"], bea["closed"], bea["transfers_out"], bea["csat"]) == (1, 0, 0, None)
    assert "Sam Supervisor" not in agents  # the supervisor handled nothing

    month = {a["name"]: a for a in dashboard(users, 30)["agents"]}["Alex Agent"]
    assert (month["handled"], month["csat"]) == (3, {"average": 3.0, "count": 3})


def test_satisfaction_overall_for_the_assistant_and_by_intent(users, period) -> None:
    csat = dashboard(users, 7)["satisfaction"]
    assert (csat["average"], csat["count"]) == (4.0, 3)
    assert csat["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert csat["assistant"] == {"average": 4.0, "count": 1}
    by_intent = {r["intent"]: (r["average"], r["count"]) for r in csat["by_intent"]}
    assert by_intent == {"block_card": (5.0, 1), "lost_or_stolen_card": (3.0, 1),
                         "check_balance": (4.0, 1)}  # fmt: skip
    assert dashboard(users, 30)["satisfaction"]["distribution"]["1"] == 1


def test_containment_by_intent_says_what_the_assistant_resolves_alone(users, period) -> None:
    rows = {r["intent"]: r for r in dashboard(users, 7)["containment_by_intent"]}
    assert set(rows) == {"block_card", "check_balance", "lost_or_stolen_card"}  # no small talk
    assert (rows["check_balance"]["alone"], rows["check_balance"]["with_person"]) == (2, 0)
    assert (rows["block_card"]["alone"], rows["block_card"]["with_person"]) == (1, 1)
    assert rows["block_card"]["containment_rate"] == 0.5
    assert (rows["lost_or_stolen_card"]["alone"], rows["lost_or_stolen_card"]["with_person"]) == (
        0, 1,
    )  # fmt: skip
    month = {r["intent"]: r for r in dashboard(users, 30)["containment_by_intent"]}
    assert month["check_balance"]["alone"] == 3


def test_only_supervisors_see_the_dashboard(users, period) -> None:
    assert users["agent"].get("/console/api/dashboard").status_code == 403
