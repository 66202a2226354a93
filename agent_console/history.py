"""A conversation's history as an agent reads it: Rasa's tracker lines (conversations.transcript)
merged with the queue's own story (requested, taken by whom, ended how)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.models import Agent
from conversations import transfers
from conversations.models import Handoff
from conversations.team_models import TEAM_NAMES, HandoffTransfer


def handoff_lines(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    """The queue's side of the story: requested, taken, ended (times in epoch seconds)."""
    names = dict(session.execute(select(Agent.id, Agent.display_name)).all())
    lines = []
    for h in session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
    ):
        lines.append(
            {
                "kind": "queue",
                "state": "requested",
                "reason": h.reason,
                "time": _epoch(h.created_at),
            }
        )
        if h.claimed_at:
            lines.append(
                {
                    "kind": "queue",
                    "state": "claimed",
                    "agent": names.get(h.claimed_by),
                    "time": _epoch(h.claimed_at),
                }
            )
        if h.closed_at:
            lines.append(
                {
                    "kind": "queue",
                    "state": "closed",
                    "disposition": h.disposition,
                    "agent": names.get(h.claimed_by),
                    "time": _epoch(h.closed_at),
                }
            )
    for t in transfers.of_conversation(session, conversation_id):
        lines.append(transfer_line(t, names))
    return lines


def transfer_line(t: HandoffTransfer, names: dict[int, str]) -> dict[str, Any]:
    """A transfer with its note: what the next agent reads to pick the conversation up."""
    return {
        "kind": "queue",
        "state": "transferred",
        "agent": names.get(t.by_agent_id),
        "from": names.get(t.from_agent_id) if t.from_agent_id else None,
        "team": t.to_team,
        "team_name": TEAM_NAMES.get(t.to_team or ""),
        "to_agent": names.get(t.to_agent_id) if t.to_agent_id else None,
        "note": t.note,
        "time": _epoch(t.at),
    }


def _epoch(value: dt.datetime) -> float:
    return value.replace(tzinfo=dt.UTC).timestamp()


epoch = _epoch  # stored naive UTC -> epoch seconds, as the history's lines carry time


def merged(rasa_lines: list[dict[str, Any]], queue_lines: list[dict[str, Any]]) -> list[dict]:
    return sorted(rasa_lines + queue_lines, key=lambda line: line.get("time") or 0)
