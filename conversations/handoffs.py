"""Handoff API for the assistant: ask for a person, with reason, priority and summary.

Called by the action server with the service token. Asking twice for the same conversation
returns the waiting handoff (200), so a retried action does not queue the customer twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from conversations import status as conversation_status
from conversations.live_events import HandoffCreated
from conversations.models import Handoff
from conversations.schemas import HandoffIn, HandoffOut
from core.vocabulary import HandoffStatus
from crm.api.deps import DbSession, require_service_token
from crm.db import session_scope

router = APIRouter(
    prefix="/handoffs", tags=["handoffs"], dependencies=[Depends(require_service_token)]
)


@router.post("", response_model=HandoffOut, status_code=status.HTTP_201_CREATED)
async def create_handoff(body: HandoffIn, request: Request, response: Response) -> HandoffOut:
    def _store() -> tuple[HandoffOut, bool]:
        with session_scope() as session:
            handoff, created = conversation_status.open_handoff(session, body)
            return HandoffOut.model_validate(handoff), created

    handoff, created = await run_in_threadpool(_store)
    if not created:
        response.status_code = status.HTTP_200_OK
    else:
        await request.app.state.live.send(HandoffCreated(handoff.model_dump(mode="json")))
    return handoff


@router.get("", response_model=list[HandoffOut])
def list_handoffs(
    session: DbSession,
    status_filter: Annotated[HandoffStatus, Query(alias="status")] = HandoffStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HandoffOut]:
    rows = session.scalars(
        select(Handoff)
        .where(Handoff.status == status_filter)
        .order_by(Handoff.created_at)
        .limit(limit)
    )
    return [HandoffOut.model_validate(h) for h in rows]
