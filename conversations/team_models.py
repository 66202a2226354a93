"""Teams, their members (skills, capacity) and transfers of handoffs between teams and agents.

A handoff's team is `handoffs.team` (conversations.models), chosen by
`conversations.routing.team_for` when the handoff is created and changed only by a transfer.
The teams are a fixed vocabulary (the migration inserts them); memberships are data. Agents
are the console's: these tables refer to them by id only, as the other conversation tables do.
An agent's capacity (concurrent conversations) is `agents.capacity` on the console's table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow
from crm.db import Base

CARDS = "cards"
RETENTION = "retention"
COMPLAINTS = "complaints"
GENERAL = "general"
TEAMS = (CARDS, RETENTION, COMPLAINTS, GENERAL)
TEAM_NAMES = {
    CARDS: "Cards",
    RETENTION: "Retention",
    COMPLAINTS: "Complaints",
    GENERAL: "General",
}
DEFAULT_CAPACITY = 3


class Team(Base):
    __tablename__ = "teams"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class TeamMember(Base):
    """An agent in a team; `skills` is a comma-separated list (agent-facing, for routing)."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("agent_id", "team_code", name="uq_team_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    team_code: Mapped[str] = mapped_column(ForeignKey("teams.code"), index=True)
    skills: Mapped[str] = mapped_column(String(200), default="")


class HandoffTransfer(Base):
    """One transfer of a handoff: from whom, to which team or agent, why (the note the next
    agent reads) and by whom (the owner, or a supervisor reassigning)."""

    __tablename__ = "handoff_transfers"
    __table_args__ = (Index("ix_handoff_transfers_handoff", "handoff_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"))
    from_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    to_team: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(1000), default="")
    by_agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
