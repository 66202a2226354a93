"""Create the demo console users: `python -m agent_console.seed_agents`.

Their password comes from DEMO_AGENT_PASSWORD (make demo generates one if it is unset), so
no credential is ever committed. Running it again leaves existing users alone unless the
password changed.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import select

from agent_console.models import Agent
from agent_console.passwords import hash_password, verify_password
from agent_console.teams import seed_teams
from crm.db import session_scope

DEMO_USERS = (
    ("agent", "Alex Agent", "agent"),
    ("agent2", "Bea Agent", "agent"),
    ("supervisor", "Sam Supervisor", "supervisor"),
    ("designer", "Dana Designer", "designer"),
    ("marketer", "Mia Marketer", "marketer"),
)


def seed(password: str) -> list[str]:
    changed = []
    with session_scope() as session:
        for username, name, role in DEMO_USERS:
            agent = session.scalar(select(Agent).where(Agent.username == username))
            if agent is None:
                session.add(
                    Agent(
                        username=username,
                        display_name=name,
                        role=role,
                        password_hash=hash_password(password),
                        active=True,
                        failed_logins=0,
                    )
                )
                changed.append(username)
            elif not verify_password(agent.password_hash, password):
                agent.password_hash = hash_password(password)
                changed.append(username)
        session.flush()
        seed_teams(session)  # demo teams: agent cards+general, agent2 retention+complaints
    return changed


def main() -> None:
    password = os.environ.get("DEMO_AGENT_PASSWORD", "")
    if len(password) < 12:
        sys.exit("Configuration error: DEMO_AGENT_PASSWORD: must be set (at least 12 characters)")
    changed = seed(password)
    print(
        f"demo console users: {', '.join(u for u, _, _ in DEMO_USERS)}"
        + (f" (created/updated: {', '.join(changed)})" if changed else " (unchanged)")
    )


if __name__ == "__main__":
    main()
