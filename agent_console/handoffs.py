"""Handoff API for the assistant: ask for a human, with reason, priority and summary.

Called by the action server with the service token. Creating a handoff twice for the same
conversation returns the waiting one, so a retried action does not queue the customer twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.models import Conversation, Handoff
from agent_console.schemas import HandoffIn, HandoffOut
from crm.api.deps import require_service_token
from crm.clock import utcnow
from crm.db import session_scope
from crm.pii import mask_pii

router = APIRouter(
    prefix="/api/v1/handoffs", tags=["handoffs"], dependencies=[Depends(require_service_token)]
)

ACTIVE = ("pending", "claimed")


def open_handoff(session: Session, request: HandoffIn) -> tuple[Handoff, bool]:
    """The conversation's active handoff, or a new one; True when it was created now."""
    conversation = session.get(Conversation, request.conversation_id)
    if conversation is None:
        conversation = Conversation(id=request.conversation_id)
        session.add(conversation)
    conversation.customer_id = request.customer_id or conversation.customer_id
    conversation.last_channel = request.channel
    conversation.updated_at = utcnow()
    active = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == request.conversation_id, Handoff.status.in_(ACTIVE)
        )
    )
    if active is not None:
        return active, False
    conversation.status = "pending"
    # The queue is seen by every agent: the summary quotes the customer, so mask PII in it.
    fields = request.model_dump() | {"summary": mask_pii(request.summary)}
    handoff = Handoff(**fields, status="pending")
    session.add(handoff)
    session.flush()
    return handoff, True


@router.post("", response_model=HandoffOut, status_code=status.HTTP_201_CREATED)
async def create_handoff(body: HandoffIn, request: Request, response: Response) -> HandoffOut:
    def _store() -> tuple[HandoffOut, bool]:
        with session_scope() as session:
            handoff, created = open_handoff(session, body)
            return HandoffOut.model_validate(handoff), created

    handoff, created = await run_in_threadpool(_store)
    if not created:
        response.status_code = status.HTTP_200_OK
    else:
        await request.app.state.live.publish(
            "queue", {"type": "handoff.created", "handoff": handoff.model_dump(mode="json")}
        )
    return handoff


@router.get("", response_model=list[HandoffOut])
def list_handoffs(
    status_filter: Annotated[str, Query(alias="status")] = "pending", limit: int = 100
) -> list[HandoffOut]:
    with session_scope() as session:
        rows = session.scalars(
            select(Handoff)
            .where(Handoff.status == status_filter)
            .order_by(Handoff.created_at)
            .limit(min(limit, 500))
        )
        return [HandoffOut.model_validate(h) for h in rows]
