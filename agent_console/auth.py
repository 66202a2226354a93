"""Agent login: server-side sessions in an HttpOnly SameSite cookie, CSRF token, lockout.

The cookie holds a random token; only its SHA-256 is stored, so a database leak does not
hand out live sessions. Repeated failures lock the account for a while (counted by one
atomic UPDATE, so parallel guesses cannot slip past the count), attempts are throttled per
username and per address, and every refusal reads the same, so a username cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent_console.models import Agent, AgentSession
from agent_console.passwords import verify_password
from core.rate_limit import LOGINS_PER_ADDRESS, LOGINS_PER_USER, RateLimiter
from crm.api.deps import DbSession
from crm.clock import utcnow
from crm.settings import get_settings

COOKIE_NAME = "bank_console_session"
SESSION_TTL = dt.timedelta(hours=8)
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


REFUSED = (
    "Wrong username or password. After repeated failures the account is locked for a "
    "while; try again later."
)


class LoginRefused(Exception):
    """Wrong credentials, a locked account or too many attempts: one answer for all."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _count_failure(session: Session, agent_id: int, now: dt.datetime) -> None:
    """One more failure, and the lock when it is one too many. Each step is one UPDATE the
    database applies atomically: 40 guesses at once add 40, never a lost update."""
    failures = session.execute(
        update(Agent)
        .where(Agent.id == agent_id)
        .values(failed_logins=Agent.failed_logins + 1)
        .returning(Agent.failed_logins)
    ).scalar_one()
    if failures >= MAX_FAILED_LOGINS:
        session.execute(
            update(Agent)
            .where(Agent.id == agent_id, Agent.failed_logins >= MAX_FAILED_LOGINS)
            .values(locked_until=now + LOCKOUT, failed_logins=0)
        )
    session.commit()


def login(
    session: Session,
    username: str,
    password: str,
    address: str = "",
    limiter: RateLimiter | None = None,
) -> tuple[str, AgentSession]:
    """Check credentials and open a session; returns the cookie token and the session row."""
    name = username.strip().lower()
    settings = get_settings()
    per_address = replace(LOGINS_PER_ADDRESS, limit=settings.console_logins_per_address)
    per_user = replace(LOGINS_PER_USER, limit=settings.console_logins_per_agent)
    if limiter is not None and not (
        limiter.hit_sync(per_address, address) and limiter.hit_sync(per_user, name)
    ):
        raise LoginRefused()
    agent = session.scalar(select(Agent).where(Agent.username == name))
    now = utcnow()
    locked = agent is not None and agent.locked_until is not None and agent.locked_until > now
    # The password is checked (against a dummy for an unknown name) whatever the account's
    # state, so the time an answer takes does not tell which usernames exist or are locked.
    right = verify_password(agent.password_hash if agent else None, password)
    if agent is None or locked or not agent.active:
        raise LoginRefused()
    if not right:
        _count_failure(session, agent.id, now)
        raise LoginRefused()
    agent.failed_logins = 0
    agent.locked_until = None
    token = secrets.token_urlsafe(32)
    row = AgentSession(
        token_hash=_digest(token),
        csrf_token=secrets.token_urlsafe(24),
        agent_id=agent.id,
        expires_at=now + SESSION_TTL,
    )
    session.add(row)
    session.commit()
    return token, row


def logout(session: Session, token: str | None) -> None:
    if token:
        row = session.scalar(select(AgentSession).where(AgentSession.token_hash == _digest(token)))
        if row is not None:
            session.delete(row)
            session.commit()


def session_for_token(session: Session, token: str) -> AgentSession | None:
    """The live login session behind a cookie token, if any."""
    row = session.scalar(select(AgentSession).where(AgentSession.token_hash == _digest(token)))
    if row is None or row.expires_at <= utcnow() or not row.agent.active:
        return None
    return row


def current_session(request: Request, session: DbSession) -> AgentSession | None:
    token = request.cookies.get(COOKIE_NAME)
    return session_for_token(session, token) if token else None


def require_agent(
    login_session: Annotated[AgentSession | None, Depends(current_session)],
) -> AgentSession:
    """For console APIs: 401 without a live session."""
    if login_session is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Log in to the agent console.")
    return login_session


def check_csrf(login_session: AgentSession, submitted: str | None) -> None:
    """State-changing console requests must echo the session's CSRF token."""
    if not submitted or not hmac.compare_digest(submitted, login_session.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Missing or wrong CSRF token.")


AgentDep = Annotated[AgentSession, Depends(require_agent)]
