"""SLA: a first-response due time per team and priority, warnings and breaches once each,
the first agent reply stopping the clock, complaint due dates, and the dashboard's count.

The check is driven directly with a pinned clock (no sleeping); the live alerts go through
the app's real live bus to the supervisors' console sockets.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from agent_console.models import Agent
from conversations import sla, sla_loop
from conversations.models import Handoff
from conversations.sla_models import SlaTarget
from crm.clock import business_today
from crm.models import Complaint
from tests.platform.conftest import reset_platform_caches
from tests.platform.console_helpers import handoff


def _row(db, handoff_id: int) -> Handoff:
    db.expire_all()
    return db.get(Handoff, handoff_id)


def _at(row: Handoff, seconds: float) -> dt.datetime:
    return row.created_at + dt.timedelta(seconds=seconds)


def test_the_due_time_is_the_teams_target_for_the_priority(client, users, db, monkeypatch):
    retention = handoff(client, "customer-60", 60, reason="retention", priority="high")
    general = handoff(client, "customer-61", 61)
    row = _row(db, retention["id"])
    assert (row.team, row.sla_state, row.first_response_at) == ("retention", "ok", None)
    assert row.sla_due_at == _at(row, 30)  # retention answers fastest
    row = _row(db, general["id"])
    assert row.sla_due_at == _at(row, 180)

    # The queue shows the clock: due time and when it turns amber (80 % of the target).
    waiting = {i["id"]: i for i in users["agent"].get("/console/api/queue").json()["waiting"]}
    clock = waiting[general["id"]]["sla"]
    assert clock["state"] == "ok"
    assert clock["due_at"] == _at(row, 180).isoformat(timespec="seconds") + "Z"
    assert clock["warn_at"] == _at(row, 144).isoformat(timespec="seconds") + "Z"

    # A bank tunes its targets in the table; SLA_TARGETS (a test's fast clock) beats both.
    db.merge(SlaTarget(team="general", priority="normal", first_response_seconds=120))
    db.commit()
    tuned = _row(db, handoff(client, "customer-62", 62)["id"])
    assert tuned.sla_due_at == _at(tuned, 120)
    monkeypatch.setenv("SLA_TARGETS", "*/normal=4, retention/high=2")
    reset_platform_caches()
    assert sla.target_seconds(db, "general", "normal") == 4
    assert sla.target_seconds(db, "retention", "high") == 2
    assert sla.target_seconds(db, None, "high") == 60  # no team yet: the general desk's


def test_the_clock_warns_then_breaches_each_exactly_once(client, db) -> None:
    created = handoff(client, "customer-63", 63)
    row = _row(db, created["id"])
    assert sla.check_handoffs(db, now=_at(row, 100)) == []  # 100 s of 180: fine
    (warning,) = sla.check_handoffs(db, now=_at(row, 150))
    assert (warning.handoff_id, warning.state) == (created["id"], "warning")
    assert warning.team == "general"
    assert sla.check_handoffs(db, now=_at(row, 170)) == []  # warned once
    (breach,) = sla.check_handoffs(db, now=_at(row, 181))
    assert (breach.handoff_id, breach.state) == (created["id"], "breached")
    assert sla.check_handoffs(db, now=_at(row, 3600)) == []  # breached once
    assert _row(db, created["id"]).sla_state == "breached"

    # Found past due while still ok (the check was down): warning first, then the breach.
    late = handoff(client, "customer-64", 64)
    alerts = sla.check_handoffs(db, now=_at(_row(db, late["id"]), 600))
    assert [(a.handoff_id, a.state) for a in alerts] == [
        (late["id"], "warning"), (late["id"], "breached")
    ]  # fmt: skip


def test_the_first_agent_reply_stops_the_clock(client, users, db) -> None:
    created = handoff(client, "customer-65", 65)
    users["agent"].post(f"/console/api/handoffs/{created['id']}/claim")
    # Rasa is not running here: the reply is not sent, so it is not a response either.
    reply = users["agent"].post("/console/api/conversations/customer-65/messages", {"text": "Hi"})
    assert reply.status_code == 502
    row = _row(db, created["id"])
    assert row.first_response_at is None

    assert sla.record_first_response(db, created["id"], now=_at(row, 20)) is True
    assert sla.record_first_response(db, created["id"], now=_at(row, 40)) is False  # only first
    db.commit()
    row = _row(db, created["id"])
    assert row.first_response_at == _at(row, 20)
    assert sla.check_handoffs(db, now=_at(row, 1000)) == []
    assert _row(db, created["id"]).sla_state == "ok"

    # Answered after the due time: a breach, whether or not a check saw it coming.
    slow = handoff(client, "customer-66", 66)
    slow_row = _row(db, slow["id"])
    sla.record_first_response(db, slow["id"], now=_at(slow_row, 200))
    db.commit()
    assert _row(db, slow["id"]).sla_state == "breached"


def test_supervisors_are_alerted_live_and_the_dashboard_counts_the_breach(client, users, db):
    created = handoff(client, "customer-67", 67)
    row = _row(db, created["id"])
    row.created_at = row.created_at - dt.timedelta(seconds=600)
    row.sla_due_at = row.sla_due_at - dt.timedelta(seconds=600)
    db.commit()
    # Claimed but not answered: the clock runs on (only a reply stops it).
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    with (
        client.websocket_connect("/console/ws", headers=users["supervisor"].headers()) as boss,
        client.websocket_connect("/console/ws", headers=users["agent"].headers()) as agent,
    ):
        assert boss.receive_json()["type"] == "ready"
        assert agent.receive_json()["type"] == "ready"
        assert client.portal.call(sla_loop.check_once, client.app.state.live) == 2
        warning, breach = boss.receive_json(), boss.receive_json()
        assert (warning["type"], warning["state"], warning["conversation_id"]) == (
            "sla.handoff", "warning", "customer-67"
        )  # fmt: skip
        assert (breach["type"], breach["state"], breach["handoff_id"]) == (
            "sla.handoff", "breached", created["id"]
        )  # fmt: skip
        assert breach["due_at"] == row.sla_due_at.isoformat(timespec="seconds") + "Z"
        # Agents get the queue's news, not the supervisors' alerts.
        handoff(client, "customer-68", 68)
        assert agent.receive_json()["type"] == "handoff.created"

    figures = users["supervisor"].get("/console/api/dashboard").json()["sla"]
    assert (figures["breached"], figures["warning"]) == (1, 0)
    assert figures["by_team"] == [{"team": "general", "warning": 0, "breached": 1}]
    alex = db.scalar(select(Agent.id).where(Agent.username == "agent"))
    assert figures["by_agent"] == [{"agent_id": alex, "breached": 1}]


def test_complaints_due_soon_warn_and_overdue_ones_breach_once(crm_world, client, users, db):
    today = business_today()
    customer = crm_world.customer()

    def complaint(reference: str, due: dt.date, status: str = "open") -> None:
        fields = {"category": "fees", "description": "Charged twice", "channel": "app"}
        db.add(Complaint(reference=reference, customer_id=customer.id, status=status,
                         sla_due=due, **fields))  # fmt: skip

    complaint("CMP-DUE-TODAY", today)
    complaint("CMP-OVERDUE", today - dt.timedelta(days=2))
    complaint("CMP-LATER", today + dt.timedelta(days=10))
    complaint("CMP-SETTLED", today - dt.timedelta(days=2), status="resolved")
    db.commit()

    alerts = sla.check_complaints(db, today=today)
    assert sorted((a.reference, a.state) for a in alerts) == [
        ("CMP-DUE-TODAY", "warning"), ("CMP-OVERDUE", "breached")
    ]  # fmt: skip
    event = sla_loop.complaints_event(alerts).payload()
    assert (event["type"], event["warning"], event["breached"]) == ("sla.complaints", 1, 1)
    assert sla.check_complaints(db, today=today) == []  # once each
    # Two days on, the one due today is overdue: its breach is new, the rest stay quiet.
    (later,) = sla.check_complaints(db, today=today + dt.timedelta(days=2))
    assert (later.reference, later.state) == ("CMP-DUE-TODAY", "breached")

    figures = users["supervisor"].get("/console/api/dashboard").json()["sla"]
    assert figures["complaints_overdue"] == 1  # on the pinned business day: only CMP-OVERDUE
