"""Agents' teams and capacity as the console needs them: the queue's order, claims, pushes.

Memberships and capacities are data (`team_members`, `agents.capacity`); the demo users get
theirs from `seed_teams` (called by seed_agents).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent_console.guards import CONSOLE_ROLES
from agent_console.models import Agent
from conversations.models import Handoff
from conversations.team_models import TEAM_NAMES, TEAMS, Team, TeamMember
from core.vocabulary import HandoffStatus
from crm.db import session_scope

# Demo memberships: each agent covers two desks, the supervisor all of them.
DEMO_TEAMS = {
    "agent": {"cards": "cards,payments", "general": "general"},
    "agent2": {"retention": "retention,offers", "complaints": "complaints,disputes"},
    "supervisor": {code: code for code in TEAMS},
}
# The demo's people hold more than a new agent's default of 3 (agents.capacity): the demo and
# its browser tests open many conversations with the same few users.
DEMO_CAPACITY = {"agent": 6, "agent2": 6, "supervisor": 10}


@dataclass(frozen=True)
class Load:
    held: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.held >= self.capacity


def teams_of(session: Session, agent_id: int) -> list[str]:
    return list(
        session.scalars(
            select(TeamMember.team_code)
            .where(TeamMember.agent_id == agent_id)
            .order_by(TeamMember.team_code)
        )
    )


def load(session: Session, agent_id: int) -> Load:
    """How many conversations the agent holds now, of how many they may."""
    capacity = session.scalar(select(Agent.capacity).where(Agent.id == agent_id)) or 0
    held = session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(Handoff.claimed_by == agent_id, Handoff.status == HandoffStatus.CLAIMED)
    )
    return Load(held or 0, capacity)


def lock(session: Session, agent_id: int) -> Agent | None:
    """The agent's row, locked until commit (PostgreSQL; SQLite serialises writers anyway):
    two claims or transfers to one agent at once count their conversations one after the
    other, so neither can take them past their capacity."""
    return session.scalar(select(Agent).where(Agent.id == agent_id).with_for_update())


def directory(session: Session) -> dict:
    """Teams and the agents a conversation can be transferred to, with their load."""
    members: dict[int, list[str]] = {}
    for agent_id, code in session.execute(select(TeamMember.agent_id, TeamMember.team_code)):
        members.setdefault(agent_id, []).append(code)
    held = dict(
        session.execute(
            select(Handoff.claimed_by, func.count())
            .where(Handoff.status == HandoffStatus.CLAIMED)
            .group_by(Handoff.claimed_by)
        ).all()
    )
    agents = session.scalars(
        select(Agent)
        .where(Agent.active.is_(True), Agent.role.in_(CONSOLE_ROLES))
        .order_by(Agent.display_name)
    )
    return {
        "teams": [{"code": code, "name": TEAM_NAMES[code]} for code in TEAMS],
        "agents": [
            {
                "id": a.id,
                "name": a.display_name,
                "teams": sorted(members.get(a.id, [])),
                "held": held.get(a.id, 0),
                "capacity": a.capacity,
            }
            for a in agents
        ],
    }


def seed_teams(session: Session) -> None:
    """Give the demo users their teams and capacity (idempotent: existing memberships stay)."""
    have_teams = set(session.scalars(select(Team.code)))
    for code in TEAMS:  # the migration inserts them; a wiped database gets them back here
        if code not in have_teams:
            session.add(Team(code=code, name=TEAM_NAMES[code]))
    session.flush()
    for username, teams in DEMO_TEAMS.items():
        agent = session.scalar(select(Agent).where(Agent.username == username))
        if agent is None:
            continue
        agent_id = agent.id
        have = set(teams_of(session, agent_id))
        if not have:  # first seeding: later changes to the capacity are kept
            agent.capacity = DEMO_CAPACITY[username]
        for code, skills in teams.items():
            if code not in have:
                session.add(TeamMember(agent_id=agent_id, team_code=code, skills=skills))


NEW_WORK = ("handoff.created", "handoff.transferred")
LOAD_CHANGES = ("handoff.claimed", "handoff.closed", "handoff.transferred", "conversation.moved")
GATE_SECONDS = 2.0


class PushGate:
    """Whether a push of new work reaches one agent's socket: not while they are at capacity
    (they could not claim it, and a busy agent should not be pulled away by every new
    customer). Their load is read when new work arrives, at most every GATE_SECONDS unless a
    claim, close or transfer changed it; supervisors always see everything."""

    def __init__(self, agent_id: int, supervisor: bool) -> None:
        self.agent_id = agent_id
        self.supervisor = supervisor
        self._full: bool | None = None
        self._checked = 0.0

    def _is_full(self) -> bool:
        with session_scope() as session:
            return load(session, self.agent_id).full

    async def lets_through(self, event: dict) -> bool:
        kind = event.get("type")
        if kind in LOAD_CHANGES:
            self._full = None
        if kind not in NEW_WORK or self.supervisor:
            return True
        if self.agent_id in (event.get("to_agent_id"), event.get("by_agent_id")):
            return True  # their own transfer, or one given to them: they must see it
        if self._full is None or time.monotonic() - self._checked > GATE_SECONDS:
            self._full = await run_in_threadpool(self._is_full)
            self._checked = time.monotonic()
        return not self._full
