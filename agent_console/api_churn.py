"""The churn view for marketing staff and supervisors: the page and its figures.

Agents get 403 (they serve customers one at a time; the whole bank's risk list is not theirs).
The list shows names with phone numbers masked; each read is audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from agent_console import audit, churn_view
from agent_console.console import OptionalSession, _page, _to_login
from agent_console.guards import MARKETING_ROLES, MarketerDep
from crm.db import session_scope

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/churn", response_class=HTMLResponse, include_in_schema=False)
def churn_page(request: Request, login_session: OptionalSession) -> Response:
    """Churn risk by segment, product and region, its factors, and rising customers."""
    if login_session is None:
        return _to_login()
    if login_session.agent.role not in MARKETING_ROLES:
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    return _page(request, login_session, "churn.html", {})


def _overview(agent_id: int) -> dict:
    with session_scope() as session:
        figures = churn_view.overview(session)
        audit.record(
            session, agent_id, "view_churn_list", None, f"{len(figures['rising'])} customers listed"
        )
        return figures


@router.get("/api/churn")
async def read_churn(who: MarketerDep) -> dict:
    """The churn view's figures (computed from the data on each read)."""
    return await run_in_threadpool(_overview, who.id)
