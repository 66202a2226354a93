"""Agent console pages: login, logout, the workspace (queue, conversation, copilot, customer
lookup), the supervisor dashboard and the designers' conversation review. Their data comes
from the console API (/console/api).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from agent_console import audit, auth
from agent_console.guards import CONSOLE_ROLES, REVIEW_ROLES, same_origin
from agent_console.models import AgentSession
from core.pii import mask_pii
from crm.api.deps import DbSession
from crm.models import Account, Customer
from crm.settings import get_settings

WEB_DIR = Path(__file__).parent / "web"  # the console's scripts and styles, under /static
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/console", include_in_schema=False)

OptionalSession = Annotated[AgentSession | None, Depends(auth.current_session)]


def _to_login() -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    # Cross-site form posts are refused even before a password is checked.
    if not same_origin(request.headers.get("origin"), request.url.netloc, request.url.scheme):
        return templates.TemplateResponse(
            request, "login.html", {"error": "Cross-site login refused."}, status_code=403
        )
    try:
        address = request.client.host if request.client else ""
        token, _ = auth.login(session, username, password, address, request.app.state.limiter)
    except auth.LoginRefused as exc:
        return templates.TemplateResponse(
            request, "login.html", {"error": str(exc)}, status_code=401
        )
    response = RedirectResponse("/console", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        auth.COOKIE_NAME,
        token,
        max_age=int(auth.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=get_settings().public_url.startswith("https://"),
        path="/",
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: DbSession,
    login_session: OptionalSession,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    if login_session is not None:
        auth.check_csrf(login_session, csrf_token)
        auth.logout(session, request.cookies.get(auth.COOKIE_NAME))
    response = _to_login()
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def home(
    request: Request, session: DbSession, login_session: OptionalSession, customer_no: str = ""
) -> Response:
    """The agent's workspace: live queue, conversation, copilot panel, customer lookup."""
    if login_session is None:
        return _to_login()
    agent = login_session.agent
    if agent.role == "designer":  # a designer's workspace is the conversation review
        return RedirectResponse("/console/review", status_code=status.HTTP_303_SEE_OTHER)
    if agent.role == "marketer":  # a marketer's workspace is the campaigns page
        return RedirectResponse("/console/campaigns", status_code=status.HTTP_303_SEE_OTHER)
    if agent.role not in CONSOLE_ROLES:
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    customer = None
    accounts: list[Account] = []
    if customer_no.strip():
        customer = session.scalar(
            select(Customer).where(Customer.customer_no == customer_no.strip().upper()[:16])
        )
        if customer is not None:
            accounts = list(
                session.scalars(select(Account).where(Account.customer_id == customer.id))
            )
            audit.record(session, agent.id, "lookup_customer", customer.id, customer.customer_no)
    return _page(
        request,
        login_session,
        "console.html",
        {
            "query": customer_no,
            "customer": customer,
            "phone": mask_pii(customer.phone) if customer else "",
            "accounts": accounts,
        },
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, login_session: OptionalSession) -> Response:
    """Supervisor dashboard (figures and charts drawn by /static/dashboard.js)."""
    if login_session is None:
        return _to_login()
    if login_session.agent.role != "supervisor":
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    return _page(request, login_session, "dashboard.html", {})


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, login_session: OptionalSession) -> Response:
    """Conversation review and exports, for designers and supervisors (drawn by review.js)."""
    if login_session is None:
        return _to_login()
    if login_session.agent.role not in REVIEW_ROLES:
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    return _page(request, login_session, "review.html", {})


def _page(
    request: Request,
    login_session: AgentSession,
    template: str,
    context: dict,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {"agent": login_session.agent, "csrf_token": login_session.csrf_token} | context,
        status_code=status_code,
    )
