"""A conversation's history as an agent reads it: Rasa's tracker lines (conversations.transcript)
merged with the queue's own story (requested, taken by whom, ended how)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.models import Agent
from conversations.models import Handoff


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
    return lines


def _epoch(value: dt.datetime) -> float:
    return value.replace(tzinfo=dt.UTC).timestamp()


def merged(rasa_lines: list[dict[str, Any]], queue_lines: list[dict[str, Any]]) -> list[dict]:
    return sorted(rasa_lines + queue_lines, key=lambda line: line.get("time") or 0)
