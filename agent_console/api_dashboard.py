"""Console API: the supervisor dashboard's figures (supervisors only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent_console import dashboard
from agent_console.guards import SupervisorDep
from crm.api.deps import DbSession

router = APIRouter(prefix="/console/api", tags=["console"])


@router.get("/dashboard")
def read_dashboard(
    who: SupervisorDep, session: DbSession, days: Annotated[int, Query(ge=1, le=365)] = 7
) -> dict:
    """Queue counts now, service times, bot containment and offer response rates."""
    return dashboard.metrics(session, days)
