"""Who may call the console's JSON API and its socket, and how state changes are protected.

Every console API needs a live login session (401 otherwise) of an agent or supervisor
(designers: only the review and export APIs);
every state-changing request also echoes the session's CSRF token in `X-CSRF-Token` and
must come from the console's own origin. The dashboard is for supervisors only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, WebSocket, status

from agent_console import auth
from agent_console.models import AgentSession
from crm.db import session_scope
from crm.settings import get_settings

CONSOLE_ROLES = ("agent", "supervisor")
REVIEW_ROLES = ("designer", "supervisor")  # conversation review, training data, exports
MARKETING_ROLES = ("marketer", "supervisor")  # campaigns, churn view, campaign results


@dataclass(frozen=True)
class Who:
    """The signed-in person, detached from the database session that found them."""

    id: int
    username: str
    name: str
    role: str
    csrf_token: str

    @property
    def author(self) -> str:
        """How their messages are signed in the conversation's history."""
        return f"agent:{self.username}"

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


def who_of(login_session: AgentSession) -> Who:
    agent = login_session.agent
    return Who(agent.id, agent.username, agent.display_name, agent.role, login_session.csrf_token)


def same_origin(origin: str | None, host: str | None, scheme: str) -> bool:
    """Browsers always send Origin on cross-site requests and websockets; refuse those.

    The console's origin is the address it was reached at, or PUBLIC_URL (behind a proxy
    that rewrites the Host header)."""
    if origin is None:
        return True
    http_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    public = get_settings().public_url.rstrip("/")
    return origin == public or (bool(host) and origin == f"{http_scheme}://{host}")


def current_agent(login_session: auth.AgentDep) -> Who:
    who = who_of(login_session)
    if who.role not in CONSOLE_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The console is for agents.")
    return who


WhoDep = Annotated[Who, Depends(current_agent)]


def acting_agent(
    request: Request,
    who: WhoDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Who:
    """For POSTs: the CSRF token and the console's own origin, or 403."""
    origin, host = request.headers.get("origin"), request.headers.get("host")
    if not same_origin(origin, host, request.url.scheme):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Cross-site request refused.")
    if not x_csrf_token or not hmac.compare_digest(x_csrf_token, who.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Missing or wrong CSRF token.")
    return who


ActingDep = Annotated[Who, Depends(acting_agent)]


def supervisor(who: WhoDep) -> Who:
    if not who.supervisor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Supervisors only.")
    return who


SupervisorDep = Annotated[Who, Depends(supervisor)]


def reviewer(login_session: auth.AgentDep) -> Who:
    """Designers and supervisors: conversation review and exports (masked texts only)."""
    who = who_of(login_session)
    if who.role not in REVIEW_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="For designers and supervisors.")
    return who


ReviewerDep = Annotated[Who, Depends(reviewer)]


def acting_reviewer(
    request: Request,
    who: ReviewerDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Who:
    return acting_agent(request, who, x_csrf_token)


ActingReviewerDep = Annotated[Who, Depends(acting_reviewer)]


def marketer(login_session: auth.AgentDep) -> Who:
    """Marketing staff and supervisors: campaigns, the churn view and campaign results."""
    who = who_of(login_session)
    if who.role not in MARKETING_ROLES:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="For marketing staff and supervisors."
        )
    return who


MarketerDep = Annotated[Who, Depends(marketer)]


def acting_marketer(
    request: Request,
    who: MarketerDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Who:
    return acting_agent(request, who, x_csrf_token)


ActingMarketerDep = Annotated[Who, Depends(acting_marketer)]


def socket_agent(websocket: WebSocket) -> Who | None:
    """The agent behind a console socket (cookie sent with the handshake), same origin only."""
    headers = websocket.headers
    if not same_origin(headers.get("origin"), headers.get("host"), websocket.url.scheme):
        return None
    token = websocket.cookies.get(auth.COOKIE_NAME)
    if not token:
        return None
    with session_scope() as session:
        login_session = auth.session_for_token(session, token)
        if login_session is None:
            return None
        who = who_of(login_session)
    return who if who.role in CONSOLE_ROLES else None
