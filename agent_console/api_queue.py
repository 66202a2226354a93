"""Console API: the queue and claiming a handoff from it."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool

from agent_console import work_queue
from agent_console.guards import ActingDep, WhoDep
from conversations.live_events import ConversationLine, HandoffClaimed, HandoffStatus
from conversations.status import ClaimResult
from core.vocabulary import ConversationStatus
from crm.api.deps import MAX_ID, DbSession
from crm.db import session_scope

router = APIRouter(prefix="/console/api", tags=["console"])


@router.get("/queue")
def read_queue(who: WhoDep, session: DbSession) -> dict:
    """Waiting handoffs (most urgent first) and the conversations this agent has."""
    return {
        "me": {"id": who.id, "name": who.name, "role": who.role},
        "waiting": work_queue.waiting(session),
        "waiting_total": work_queue.waiting_count(session),
        "mine": work_queue.mine(session, who.id),
    }


@router.post("/handoffs/{handoff_id}/claim")
async def claim_handoff(
    handoff_id: Annotated[int, Path(ge=1, le=MAX_ID)], who: ActingDep, request: Request
) -> dict:
    """Take a waiting customer. When two agents claim at once, the second hears 409."""

    def _claim() -> ClaimResult | None:
        with session_scope() as session:
            return work_queue.claim(session, handoff_id, who)

    result = await run_in_threadpool(_claim)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No handoff with id {handoff_id}.")
    if not result.won:
        detail = (
            f"{result.holder} claimed this conversation first."
            if result.status == "claimed" and result.holder
            else "This handoff is no longer waiting."
        )
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail)
    live = request.app.state.live
    conversation = result.conversation_id
    await live.send(HandoffClaimed(handoff_id, who.id, conversation, who.name))
    queue_line = {"kind": "queue", "state": "claimed", "agent": who.name, "time": time.time()}
    await live.send(ConversationLine(conversation, queue_line))
    await live.send(HandoffStatus(conversation, status=ConversationStatus.OPEN))
    return {"conversation_id": conversation, "customer_id": result.customer_id}
