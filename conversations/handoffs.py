"""Handoff API for the assistant: ask for a person, with reason, priority and summary.

Called by the action server with the service token. Asking twice for the same conversation
returns the waiting handoff (200), so a retried action does not queue the customer twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from conversations import status as conversation_status
from conversations.live_events import HandoffCreated
from conversations.models import Handoff
from conversations.schemas import HandoffIn, HandoffOut
from core.rate_limit import HANDOFFS_PER_CONVERSATION
from core.vocabulary import HandoffStatus
from crm.api.deps import DbSession, require_service_token
from crm.db import session_scope

MAX_ANONYMOUS_WAITING = 50  # anonymous requests in the queue at once
router = APIRouter(
    prefix="/handoffs", tags=["handoffs"], dependencies=[Depends(require_service_token)]
)


@router.post("", response_model=HandoffOut, status_code=status.HTTP_201_CREATED)
async def create_handoff(body: HandoffIn, request: Request, response: Response) -> HandoffOut:
    """429 when a conversation asks too often, or when the anonymous requests waiting fill
    their share of the queue: an anonymous flood must not bury the bank's customers."""
    if not await request.app.state.limiter.hit(HANDOFFS_PER_CONVERSATION, body.conversation_id):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail="Too many requests.")

    def _store() -> tuple[HandoffOut, bool]:
        with session_scope() as session:
            if body.customer_id is None and conversation_status.anonymous_waiting(session) >= (
                MAX_ANONYMOUS_WAITING
            ):
                raise HTTPException(
                    status.HTTP_429_TOO_MANY_REQUESTS, detail="The queue is full; try later."
                )
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
