"""Console API: the queue and claiming a handoff from it."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool

from agent_console import teams as agent_teams
from agent_console import work_queue
from agent_console.guards import ActingDep, WhoDep
from conversations.live_events import ConversationLine, HandoffClaimed, HandoffStatus
from conversations.status import AT_CAPACITY, ClaimResult
from core.vocabulary import ConversationStatus
from crm.api.deps import MAX_ID, DbSession
from crm.db import session_scope

router = APIRouter(prefix="/console/api", tags=["console"])


@router.get("/queue")
def read_queue(who: WhoDep, session: DbSession) -> dict:
    """Waiting handoffs (most urgent first; an agent's own teams first within each tier,
    supervisors see the plain order) and the conversations this agent has."""
    teams = agent_teams.teams_of(session, who.id)
    load = agent_teams.load(session, who.id)
    me = {"id": who.id, "name": who.name, "role": who.role, "teams": teams}
    return {
        "me": me | {"held": load.held, "capacity": load.capacity},
        "waiting": work_queue.waiting(session, () if who.supervisor else teams),
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
    if not result.won and result.status == AT_CAPACITY:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="You are at capacity: finish or transfer a conversation before claiming"
            " another.",
        )
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
