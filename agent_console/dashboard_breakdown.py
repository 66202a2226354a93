"""The dashboard per team and per agent: volumes, first-response and handle times, SLA
breaches, transfers and satisfaction; satisfaction by intent; and containment by intent
(which requests the assistant resolves alone and which end with a person).

Counts are set-based SQL; durations are averaged in Python over the period's rows (SQLite
and PostgreSQL subtract timestamps differently), as in `agent_console.dashboard`. A handoff
belongs to the period it was created in; a handle time to the period it closed in; a rating
or a transfer to the period it was given in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent_console.models import Agent
from conversations import tracker_records
from conversations.models import Handoff
from conversations.satisfaction_models import SatisfactionRating
from conversations.team_models import TEAM_NAMES, HandoffTransfer

UNASSIGNED = "unassigned"
BREACHED = "breached"
# Not a request of their own: they say nothing about what the assistant resolves.
NOT_A_REQUEST = frozenset({
    "greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "inform", "rate_service",
    "nlu_fallback", "out_of_scope", "session_start", "restart",
})  # fmt: skip
TOP_INTENTS = 15

Pairs = Iterable[tuple[Any, dt.datetime | None, dt.datetime | None]]


def _averages(pairs: Pairs) -> dict[Any, float]:
    """Average seconds from start to end per key (rows without both ends left out)."""
    spans: dict[Any, list[float]] = defaultdict(list)
    for key, start, end in pairs:
        if start and end:
            spans[key].append((end - start).total_seconds())
    return {k: round(sum(v) / len(v), 1) for k, v in spans.items()}


def _csat(rows: Iterable[tuple[Any, float | None, int]]) -> dict[Any, dict[str, Any]]:
    return {k: {"average": round(float(avg), 2), "count": n} for k, avg, n in rows if n}


def _by(session: Session, key, since: dt.datetime) -> dict[str, dict[Any, Any]]:
    """Every figure, grouped by `key` (Handoff.team or Handoff.claimed_by)."""
    created = Handoff.created_at >= since
    return {
        "volume": dict(session.execute(
            select(key, func.count()).where(created).group_by(key)
        ).all()),
        "first_response": _averages(session.execute(
            select(key, Handoff.created_at, Handoff.first_response_at)
            .where(Handoff.first_response_at >= since)
        ).all()),
        "handle": _averages(session.execute(
            select(key, Handoff.claimed_at, Handoff.closed_at).where(Handoff.closed_at >= since)
        ).all()),
        "closed": dict(session.execute(
            select(key, func.count()).where(Handoff.closed_at >= since).group_by(key)
        ).all()),
        "breaches": dict(session.execute(
            select(key, func.count())
            .where(created, Handoff.sla_state == BREACHED)
            .group_by(key)
        ).all()),
    }  # fmt: skip


def _ratings_by(session: Session, key, since: dt.datetime) -> dict[Any, dict[str, Any]]:
    """Ratings of agents' conversations (the assistant's own are counted apart)."""
    return _csat(
        session.execute(
            select(key, func.avg(SatisfactionRating.rating), func.count())
            .where(
                SatisfactionRating.created_at >= since, SatisfactionRating.handoff_id.is_not(None)
            )
            .group_by(key)
        ).all()
    )


def teams(session: Session, since: dt.datetime) -> list[dict[str, Any]]:
    """One row per team (and one for handoffs no team was chosen for, if any)."""
    figures = _by(session, Handoff.team, since)
    transfers = dict(
        session.execute(
            select(HandoffTransfer.to_team, func.count())
            .where(HandoffTransfer.at >= since, HandoffTransfer.to_team.is_not(None))
            .group_by(HandoffTransfer.to_team)
        ).all()
    )
    csat = _ratings_by(session, SatisfactionRating.team, since)
    codes = list(TEAM_NAMES)
    if any(code is None for fig in figures.values() for code in fig):
        codes.append(None)
    return [
        {
            "team": code or UNASSIGNED,
            "name": TEAM_NAMES.get(code or "", "No team"),
            "volume": figures["volume"].get(code, 0),
            "closed": figures["closed"].get(code, 0),
            "average_first_response_seconds": figures["first_response"].get(code),
            "average_handle_seconds": figures["handle"].get(code),
            "sla_breaches": figures["breaches"].get(code, 0),
            "transfers_in": transfers.get(code, 0) if code else 0,
            "csat": csat.get(code),
        }
        for code in codes
    ]


def agents(session: Session, since: dt.datetime) -> list[dict[str, Any]]:
    """One row per agent who had a conversation, a transfer or a rating in the period."""
    figures = _by(session, Handoff.claimed_by, since)
    claimed = dict(
        session.execute(
            select(Handoff.claimed_by, func.count())
            .where(Handoff.claimed_at >= since)
            .group_by(Handoff.claimed_by)
        ).all()
    )
    transfers = dict(
        session.execute(
            select(HandoffTransfer.from_agent_id, func.count())
            .where(HandoffTransfer.at >= since)
            .group_by(HandoffTransfer.from_agent_id)
        ).all()
    )
    csat = _ratings_by(session, SatisfactionRating.agent_id, since)
    ids = {i for i in [*claimed, *transfers, *csat, *figures["closed"]] if i is not None}
    names = dict(
        session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(ids))).all()
    )
    rows = [
        {
            "agent_id": agent_id,
            "name": names.get(agent_id, f"#{agent_id}"),
            "handled": claimed.get(agent_id, 0),
            "closed": figures["closed"].get(agent_id, 0),
            "average_first_response_seconds": figures["first_response"].get(agent_id),
            "average_handle_seconds": figures["handle"].get(agent_id),
            "sla_breaches": figures["breaches"].get(agent_id, 0),
            "transfers_out": transfers.get(agent_id, 0),
            "csat": csat.get(agent_id),
        }
        for agent_id in ids
    ]
    return sorted(rows, key=lambda r: r["name"].casefold())


def satisfaction(session: Session, since: dt.datetime) -> dict[str, Any]:
    """All ratings of the period: average, how many of each score, the assistant's own
    (no agent), and the average per intent."""
    in_period = SatisfactionRating.created_at >= since
    scores = dict(
        session.execute(
            select(SatisfactionRating.rating, func.count())
            .where(in_period)
            .group_by(SatisfactionRating.rating)
        ).all()
    )
    count = sum(scores.values())
    total = sum(score * n for score, n in scores.items())
    alone_count, alone_average = session.execute(
        select(func.count(), func.avg(SatisfactionRating.rating)).where(
            in_period, SatisfactionRating.agent_id.is_(None)
        )
    ).one()
    by_intent = _csat(
        session.execute(
            select(SatisfactionRating.intent, func.avg(SatisfactionRating.rating), func.count())
            .where(in_period, SatisfactionRating.intent.is_not(None))
            .group_by(SatisfactionRating.intent)
        ).all()
    )
    return {
        "average": round(total / count, 2) if count else None,
        "count": count,
        "distribution": {str(score): scores.get(score, 0) for score in range(1, 6)},
        "assistant": {"average": round(float(alone_average), 2), "count": alone_count}
        if alone_count
        else None,
        "by_intent": sorted(
            ({"intent": k, **v} for k, v in by_intent.items()),
            key=lambda r: (-r["count"], r["intent"]),
        )[:TOP_INTENTS],
    }


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.UTC).timestamp()


def containment_by_intent(session: Session, since: dt.datetime) -> list[dict[str, Any]]:
    """Per intent asked in the period (once per conversation): how many the assistant
    resolved alone and how many ended with a person (a handoff created after it was asked).
    Intents come from Rasa's tracker store, handoffs from the platform."""
    asked = [
        row for row in tracker_records.first_intents_since(_epoch(since))
        if row[1] not in NOT_A_REQUEST
    ]  # fmt: skip
    last_handoff = {
        conversation: _epoch(created)
        for conversation, created in session.execute(
            select(Handoff.conversation_id, func.max(Handoff.created_at))
            .where(Handoff.created_at >= since)
            .group_by(Handoff.conversation_id)
        ).all()
    }
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for conversation, intent, first_at in asked:
        with_person = last_handoff.get(conversation, -1.0) >= first_at
        counts[intent][1 if with_person else 0] += 1
    rows = [
        {"intent": intent, "alone": alone, "with_person": person, "total": alone + person,
         "containment_rate": round(alone / (alone + person), 4)}
        for intent, (alone, person) in counts.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r["total"], r["intent"]))[:TOP_INTENTS]


def figures(session: Session, since: dt.datetime) -> dict[str, Any]:
    return {
        "teams": teams(session, since),
        "agents": agents(session, since),
        "satisfaction": satisfaction(session, since),
        "containment_by_intent": containment_by_intent(session, since),
    }
