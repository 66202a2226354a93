"""Agent login: server-side sessions in an HttpOnly SameSite cookie, CSRF token, lockout.

The cookie holds a random token; only its SHA-256 is stored, so a database leak does not
hand out live sessions. Repeated failures lock the account for a while.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.models import Agent, AgentSession
from agent_console.passwords import verify_password
from crm.api.deps import DbSession
from crm.clock import utcnow

COOKIE_NAME = "bank_console_session"
SESSION_TTL = dt.timedelta(hours=8)
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


class LoginRefused(Exception):
    """Wrong credentials or a locked account; the message is safe to show."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, username: str, password: str) -> tuple[str, AgentSession]:
    """Check credentials and open a session; returns the cookie token and the session row."""
    agent = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
    now = utcnow()
    if agent is not None and agent.locked_until and agent.locked_until > now:
        raise LoginRefused("This account is locked after repeated failed logins; try later.")
    if agent is None or not agent.active or not verify_password(agent.password_hash, password):
        if agent is not None:
            agent.failed_logins += 1
            if agent.failed_logins >= MAX_FAILED_LOGINS:
                agent.locked_until = now + LOCKOUT
                agent.failed_logins = 0
            session.commit()
        raise LoginRefused("Wrong username or password.")
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
